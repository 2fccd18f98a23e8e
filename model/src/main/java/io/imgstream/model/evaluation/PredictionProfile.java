package io.imgstream.model.evaluation;

import io.imgstream.model.head.ClassOutputs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * How a model's predictions spread: over confidence (the top probability, in {@value #BINS} bins of width 0.1) and
 * over the classes it predicts. A version's profile on its holdout is recorded when it is trained; a scorer computes
 * the same profile over its recent predictions, and the two compared say whether the images the model meets still
 * look like the ones it was judged on (drift), before any label says so.
 *
 * <p>Shifts are population stability indices (PSI), {@code sum((a - e) * ln(a / e))} over the bins' shares; by the
 * common rule of thumb below 0.1 is stable, 0.1 to 0.25 a moderate shift, above 0.25 a large one. A share is at
 * least {@value #MIN_SHARE}, so that a bin empty on one side gives a finite index; bins empty on both sides add
 * nothing.
 *
 * <p>Immutable.
 *
 * @param confidence predictions per confidence bin, {@value #BINS} counts, bin {@code i} holding top probabilities in
 *                   {@code [i / 10, (i + 1) / 10)} (1.0 in the last)
 * @param predicted  predictions per predicted class, by label
 */
public record PredictionProfile(List<Long> confidence, Map<String, Long> predicted) {

    /** Confidence bins. */
    public static final int BINS = 10;

    /** The floor of a bin's share. */
    public static final double MIN_SHARE = 1e-4;

    public PredictionProfile {
        confidence = List.copyOf(Objects.requireNonNull(confidence, "confidence"));
        if (confidence.size() != BINS) {
            throw new IllegalArgumentException(
                    "confidence must have " + BINS + " bins, has " + confidence.size() + ": " + confidence);
        }
        if (confidence.stream().anyMatch(count -> count < 0)) {
            throw new IllegalArgumentException("confidence counts must not be negative: " + confidence);
        }
        predicted = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(predicted, "predicted")));
        if (predicted.values().stream().anyMatch(count -> count == null || count < 0)) {
            throw new IllegalArgumentException("predicted counts must not be negative: " + predicted);
        }
    }

    /**
     * The profile of some predictions.
     *
     * @param classes       class labels in the order of the probabilities
     * @param probabilities each prediction's probabilities, one per class
     * @return the profile
     * @throws IllegalArgumentException if a prediction has another number of probabilities than there are classes
     */
    public static PredictionProfile of(List<String> classes, List<float[]> probabilities) {
        long[] bins = new long[BINS];
        long[] perClass = new long[classes.size()];
        for (float[] p : probabilities) {
            if (p.length != classes.size()) {
                throw new IllegalArgumentException(
                        "a prediction has " + p.length + " probabilities for " + classes.size() + " classes");
            }
            int top = ClassOutputs.argMax(p);
            bins[bin(p[top])]++;
            perClass[top]++;
        }
        return of(classes, bins, perClass);
    }

    /**
     * A profile from counts.
     *
     * @param classes  class labels, in the order of {@code perClass}
     * @param bins     predictions per confidence bin, {@value #BINS} of them
     * @param perClass predictions per class
     * @return the profile
     */
    public static PredictionProfile of(List<String> classes, long[] bins, long[] perClass) {
        if (perClass.length != classes.size()) {
            throw new IllegalArgumentException(perClass.length + " class counts for " + classes.size() + " classes");
        }
        List<Long> confidence = new ArrayList<>(BINS);
        for (long count : bins) {
            confidence.add(count);
        }
        Map<String, Long> predicted = new TreeMap<>();
        for (int i = 0; i < perClass.length; i++) {
            predicted.put(classes.get(i), perClass[i]);
        }
        return new PredictionProfile(confidence, predicted);
    }

    /** The confidence bin of a top probability. */
    public static int bin(float topProbability) {
        if (!(topProbability >= 0)) {
            return 0;
        }
        return Math.min(BINS - 1, (int) (topProbability * BINS));
    }

    /** Predictions the profile counts. */
    public long count() {
        return confidence.stream().mapToLong(Long::longValue).sum();
    }

    /**
     * How far this profile's confidence has moved from {@code reference}'s.
     *
     * @return the population stability index over the confidence bins, 0 for equal shares
     */
    public double confidenceShift(PredictionProfile reference) {
        return stability(confidence, reference.confidence);
    }

    /**
     * How far the mix of predicted classes has moved from {@code reference}'s; classes only one side knows count as
     * empty on the other.
     *
     * @return the population stability index over the classes, 0 for equal shares
     */
    public double classMixShift(PredictionProfile reference) {
        Set<String> labels = new HashSet<>(predicted.keySet());
        labels.addAll(reference.predicted.keySet());
        List<Long> actual = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        for (String label : sorted(labels)) {
            actual.add(predicted.getOrDefault(label, 0L));
            expected.add(reference.predicted.getOrDefault(label, 0L));
        }
        return stability(actual, expected);
    }

    private static List<String> sorted(Set<String> labels) {
        List<String> list = new ArrayList<>(labels);
        Collections.sort(list);
        return list;
    }

    private static double stability(List<Long> actual, List<Long> expected) {
        double actualTotal =
                Math.max(1, actual.stream().mapToLong(Long::longValue).sum());
        double expectedTotal =
                Math.max(1, expected.stream().mapToLong(Long::longValue).sum());
        double index = 0;
        for (int i = 0; i < actual.size(); i++) {
            double a = Math.max(MIN_SHARE, actual.get(i) / actualTotal);
            double e = Math.max(MIN_SHARE, expected.get(i) / expectedTotal);
            index += (a - e) * Math.log(a / e);
        }
        return index;
    }
}
