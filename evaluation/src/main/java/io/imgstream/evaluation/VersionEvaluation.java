package io.imgstream.evaluation;

import io.imgstream.model.evaluation.ClassificationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one model version predicted on a replayed range, and how that compares with the labels.
 *
 * @param model       model name
 * @param version     model version
 * @param predictions predicted class per scored image id (the last prediction when an image appears twice)
 * @param report      accuracy, per-class scores and confusion over the labeled scored images; classes are the
 *                    version's, then labels it does not know (which it can only get wrong)
 */
public record VersionEvaluation(
        String model, int version, Map<String, String> predictions, ClassificationReport report) {

    /**
     * Compares predictions with labels.
     *
     * @param classes     the version's classes, in output order
     * @param predictions predicted class per image id
     * @param labels      true class per image id; images without one are not counted
     */
    static VersionEvaluation of(
            String model,
            int version,
            List<String> classes,
            Map<String, String> predictions,
            Map<String, String> labels) {
        List<String> all = new ArrayList<>(classes);
        TreeSet<String> unknown = new TreeSet<>();
        predictions.keySet().stream()
                .map(labels::get)
                .filter(l -> l != null && !classes.contains(l))
                .forEach(unknown::add);
        all.addAll(unknown);
        List<String> labeled = predictions.keySet().stream()
                .filter(labels::containsKey)
                .sorted()
                .toList();
        int[] truth = new int[labeled.size()];
        int[] predicted = new int[labeled.size()];
        for (int i = 0; i < labeled.size(); i++) {
            truth[i] = all.indexOf(labels.get(labeled.get(i)));
            predicted[i] = all.indexOf(predictions.get(labeled.get(i)));
        }
        return new VersionEvaluation(
                model, version, Map.copyOf(predictions), ClassificationReport.of(all, truth, predicted));
    }

    /** "name vN". */
    public String name() {
        return model + " v" + version;
    }
}
