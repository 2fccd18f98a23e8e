package io.imgstream.evaluation;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.imgstream.model.evaluation.ClassificationReport;
import io.imgstream.model.evaluation.TrainingCurves;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes a replay evaluation's report directory: {@code index.html} (summary, per-class tables, confusion matrices,
 * for two versions the images they disagree on), a PNG per plot, and {@code report.json} with every number.
 */
public final class EvaluationReport {

    /** The report page. */
    public static final String INDEX = "index.html";
    /** Every number of the report, for scripts. */
    public static final String JSON_FILE = "report.json";
    /** Disagreements listed in the page (all of them are in the JSON). */
    private static final int SHOWN_DISAGREEMENTS = 200;

    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * What the report is about.
     *
     * @param runId  the run's id, also the {@code eval-results} key
     * @param topic  the replayed topic
     * @param from   the start of the range, as given
     * @param to     the end of the range, as given
     * @param result what the replay found
     * @param curves per version (same order as the result), its training curves if the bundle has them
     * @param labels true class per image id
     */
    public record Contents(
            String runId,
            String topic,
            String from,
            String to,
            ReplayEvaluator.Result result,
            List<Optional<TrainingCurves>> curves,
            Map<String, String> labels) {}

    /** One image two versions classify differently. */
    public record Disagreement(String imageId, String truth, String first, String second) {}

    private EvaluationReport() {}

    /**
     * Writes the report.
     *
     * @param directory created if missing; files of an earlier report there are replaced
     * @return the page's path
     */
    public static Path write(Contents contents, Path directory) throws IOException {
        Files.createDirectories(directory);
        // The plots are drawn off screen; without this, AWT looks for a display and fails on servers.
        System.setProperty("java.awt.headless", "true");
        List<VersionEvaluation> versions = contents.result().versions();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>imgstream evaluation ")
                .append(ReportHtml.escape(contents.runId()))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em}"
                        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;"
                        + "text-align:right}th:first-child,td:first-child{text-align:left}img{max-width:100%}</style>"
                        + "</head><body>\n");
        html.append("<h1>Replay evaluation</h1>\n<p>Topic <code>")
                .append(ReportHtml.escape(contents.topic()))
                .append("</code> from ")
                .append(ReportHtml.escape(contents.from()))
                .append(" to ")
                .append(ReportHtml.escape(contents.to()))
                .append(": ")
                .append(contents.result().recordsRead())
                .append(" records read, ")
                .append(contents.result().scored().size())
                .append(" images scored")
                .append(skippedText(contents.result().skipped()))
                .append(". Run ")
                .append(ReportHtml.escape(contents.runId()))
                .append(".</p>\n");
        html.append("<table><tr><th>version</th><th>labeled images</th><th>correct</th><th>accuracy</th></tr>\n");
        for (VersionEvaluation version : versions) {
            ClassificationReport report = version.report();
            html.append("<tr><td>")
                    .append(ReportHtml.escape(version.name()))
                    .append("</td><td>")
                    .append(report.count())
                    .append("</td><td>")
                    .append(report.correct())
                    .append("</td><td>")
                    .append(ReportHtml.format(report.accuracy()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n");
        for (int v = 0; v < versions.size(); v++) {
            VersionEvaluation version = versions.get(v);
            String stem = "v" + version.version();
            html.append("<h2>").append(ReportHtml.escape(version.name())).append("</h2>\n");
            ReportHtml.perClassTable(html, version.report());
            ReportHtml.confusionTable(html, version.report());
            EvaluationCharts.confusion(
                    version.report(),
                    version.name() + ": confusion matrix",
                    directory.resolve(stem + "-confusion.png"));
            EvaluationCharts.perClass(
                    version.report(),
                    version.name() + ": per-class scores",
                    directory.resolve(stem + "-per-class.png"));
            html.append("<p><img src=\"")
                    .append(stem)
                    .append("-confusion.png\" alt=\"confusion matrix\"> <img src=\"")
                    .append(stem)
                    .append("-per-class.png\" alt=\"per-class scores\">");
            Optional<TrainingCurves> curves = contents.curves().get(v);
            if (curves.isPresent()) {
                EvaluationCharts.curves(
                        curves.get(), version.name() + ": training curves", directory.resolve(stem + "-curves.png"));
                html.append(" <img src=\"").append(stem).append("-curves.png\" alt=\"training curves\">");
            } else {
                html.append(" (the bundle has no training curves)");
            }
            html.append("</p>\n");
        }
        List<Disagreement> disagreements =
                versions.size() == 2 ? disagreements(versions.get(0), versions.get(1), contents.labels()) : List.of();
        if (versions.size() == 2) {
            html.append("<h2>Images the two versions classify differently: ")
                    .append(disagreements.size())
                    .append("</h2>\n")
                    .append("<table><tr><th>image</th><th>label</th><th>")
                    .append(ReportHtml.escape(versions.get(0).name()))
                    .append("</th><th>")
                    .append(ReportHtml.escape(versions.get(1).name()))
                    .append("</th></tr>\n");
            for (Disagreement d : disagreements.subList(0, Math.min(SHOWN_DISAGREEMENTS, disagreements.size()))) {
                html.append("<tr><td>")
                        .append(ReportHtml.escape(d.imageId()))
                        .append("</td><td>")
                        .append(ReportHtml.escape(d.truth()))
                        .append("</td><td>")
                        .append(ReportHtml.escape(d.first()))
                        .append("</td><td>")
                        .append(ReportHtml.escape(d.second()))
                        .append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        html.append("</body></html>\n");
        Path index = directory.resolve(INDEX);
        Files.writeString(index, html);
        JSON.writeValue(directory.resolve(JSON_FILE).toFile(), json(contents, disagreements));
        return index;
    }

    /**
     * The images two versions predict differently, by image id.
     *
     * @param labels true class per image id; "-" where there is none
     */
    public static List<Disagreement> disagreements(
            VersionEvaluation first, VersionEvaluation second, Map<String, String> labels) {
        List<Disagreement> result = new ArrayList<>();
        new TreeMap<>(first.predictions()).forEach((id, predicted) -> {
            String other = second.predictions().get(id);
            if (other != null && !other.equals(predicted)) {
                result.add(new Disagreement(id, labels.getOrDefault(id, "-"), predicted, other));
            }
        });
        return result;
    }

    private static Map<String, Object> json(Contents contents, List<Disagreement> disagreements) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("runId", contents.runId());
        root.put("topic", contents.topic());
        root.put("from", contents.from());
        root.put("to", contents.to());
        root.put("recordsRead", contents.result().recordsRead());
        root.put("imagesScored", contents.result().scored().size());
        root.put("skipped", contents.result().skipped());
        List<Map<String, Object>> versions = new ArrayList<>();
        for (VersionEvaluation version : contents.result().versions()) {
            ClassificationReport report = version.report();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("model", version.model());
            entry.put("version", version.version());
            entry.put("labeled", report.count());
            entry.put("correct", report.correct());
            entry.put("accuracy", report.accuracy());
            entry.put("classes", report.classes());
            entry.put("perClass", report.perClass());
            entry.put("confusion", report.confusion());
            entry.put("predictions", new TreeMap<>(version.predictions()));
            versions.add(entry);
        }
        root.put("versions", versions);
        root.put("disagreements", disagreements);
        return root;
    }

    private static String skippedText(Map<String, Integer> skipped) {
        return skipped.isEmpty() ? "" : " (not scored: " + ReportHtml.escape(new TreeMap<>(skipped).toString()) + ")";
    }
}
