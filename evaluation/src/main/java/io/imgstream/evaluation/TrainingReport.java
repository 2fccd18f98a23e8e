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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a training run's report directory ({@code imgstream fit}): {@code index.html} with the run's facts, the
 * accuracy, per-class precision and recall, the confusion matrix, the training curves and Grad-CAM overlays of wrong
 * predictions; a PNG per plot; and {@code report.json} with every number.
 */
public final class TrainingReport {

    /** The report page. */
    public static final String INDEX = "index.html";
    /** Every number of the report, for scripts. */
    public static final String JSON_FILE = "report.json";

    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private TrainingReport() {}

    /**
     * What the report is about.
     *
     * @param title       e.g. {@code fashion v3}
     * @param facts       named facts shown first, in order (base, images, times)
     * @param evaluatedOn which images the report's numbers are on, e.g. {@code test}
     * @param report      the predictions on those images
     * @param curves      training curves by stage name, e.g. {@code head}, {@code fine-tuning}
     * @param mistakes    wrong predictions, in image order
     */
    public record Contents(
            String title,
            Map<String, String> facts,
            String evaluatedOn,
            ClassificationReport report,
            Map<String, TrainingCurves> curves,
            List<Mistake> mistakes) {}

    /**
     * A wrong prediction.
     *
     * @param image     the image file's name or path
     * @param truth     its class
     * @param predicted the predicted class
     * @param overlay   a Grad-CAM overlay PNG inside the report directory, if one was made
     */
    public record Mistake(String image, String truth, String predicted, Optional<Path> overlay) {}

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
        ClassificationReport report = contents.report();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>imgstream fit ")
                .append(ReportHtml.escape(contents.title()))
                .append("</title></head><body>\n<h1>")
                .append(ReportHtml.escape(contents.title()))
                .append("</h1>\n<table>\n");
        contents.facts()
                .forEach((name, value) -> html.append("<tr><th>")
                        .append(ReportHtml.escape(name))
                        .append("</th><td>")
                        .append(ReportHtml.escape(value))
                        .append("</td></tr>\n"));
        html.append("</table>\n<h2>")
                .append(ReportHtml.escape(contents.evaluatedOn()))
                .append(" accuracy ")
                .append(String.format(Locale.ROOT, "%.3f", report.accuracy()))
                .append(" (")
                .append(report.correct())
                .append(" of ")
                .append(report.count())
                .append(")</h2>\n");
        ReportHtml.perClassTable(html, report);
        ReportHtml.confusionTable(html, report);
        EvaluationCharts.confusion(report, contents.title() + ": confusion", directory.resolve("confusion.png"));
        EvaluationCharts.perClass(report, contents.title() + ": per class", directory.resolve("per-class.png"));
        html.append("<p><img src=\"confusion.png\" alt=\"confusion matrix\"> "
                + "<img src=\"per-class.png\" alt=\"precision and recall per class\"></p>\n");
        for (Map.Entry<String, TrainingCurves> stage : contents.curves().entrySet()) {
            String file = "curves-" + stage.getKey().replaceAll("[^A-Za-z0-9-]", "-") + ".png";
            EvaluationCharts.curves(
                    stage.getValue(), contents.title() + ": " + stage.getKey(), directory.resolve(file));
            html.append("<h2>Training curves: ")
                    .append(ReportHtml.escape(stage.getKey()))
                    .append("</h2>\n<p><img src=\"")
                    .append(file)
                    .append("\" alt=\"training curves\"></p>\n");
        }
        html.append("<h2>Wrong predictions: ")
                .append(contents.mistakes().size())
                .append("</h2>\n<table><tr><th>image</th><th>label</th><th>predicted</th><th>Grad-CAM</th></tr>\n");
        for (Mistake mistake : contents.mistakes()) {
            html.append("<tr><td>")
                    .append(ReportHtml.escape(mistake.image()))
                    .append("</td><td>")
                    .append(ReportHtml.escape(mistake.truth()))
                    .append("</td><td>")
                    .append(ReportHtml.escape(mistake.predicted()))
                    .append("</td><td>");
            mistake.overlay()
                    .ifPresent(overlay -> html.append("<img src=\"")
                            .append(ReportHtml.escape(directory
                                    .relativize(overlay.toAbsolutePath())
                                    .toString()))
                            .append("\" alt=\"Grad-CAM\" width=\"224\">"));
            html.append("</td></tr>\n");
        }
        html.append("</table>\n</body></html>\n");
        Path index = directory.resolve(INDEX);
        Files.writeString(index, html);
        JSON.writeValue(directory.resolve(JSON_FILE).toFile(), json(contents));
        return index;
    }

    private static Map<String, Object> json(Contents contents) {
        ClassificationReport report = contents.report();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("title", contents.title());
        root.put("facts", contents.facts());
        root.put("evaluatedOn", contents.evaluatedOn());
        root.put("count", report.count());
        root.put("correct", report.correct());
        root.put("accuracy", report.accuracy());
        root.put("classes", report.classes());
        root.put("perClass", report.perClass());
        root.put("confusion", report.confusion());
        root.put("curves", contents.curves());
        List<Map<String, String>> mistakes = new ArrayList<>();
        for (Mistake mistake : contents.mistakes()) {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("image", mistake.image());
            entry.put("truth", mistake.truth());
            entry.put("predicted", mistake.predicted());
            mistakes.add(entry);
        }
        root.put("mistakes", mistakes);
        return root;
    }
}
