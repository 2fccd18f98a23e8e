package io.imgstream.evaluation;

import io.imgstream.model.evaluation.ClassScores;
import io.imgstream.model.evaluation.ClassificationReport;
import java.util.Locale;

/** The HTML pieces the evaluation and training reports share: per-class and confusion tables, escaping. */
final class ReportHtml {

    private ReportHtml() {}

    static void perClassTable(StringBuilder html, ClassificationReport report) {
        html.append("<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n");
        for (ClassScores c : report.perClass()) {
            html.append("<tr><td>")
                    .append(escape(c.label()))
                    .append("</td><td>")
                    .append(format(c.precision()))
                    .append("</td><td>")
                    .append(format(c.recall()))
                    .append("</td><td>")
                    .append(format(c.f1()))
                    .append("</td><td>")
                    .append(c.support())
                    .append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    static void confusionTable(StringBuilder html, ClassificationReport report) {
        html.append("<table><tr><th>true \\ predicted</th>");
        report.classes().forEach(c -> html.append("<th>").append(escape(c)).append("</th>"));
        html.append("</tr>\n");
        int[][] matrix = report.confusion();
        for (int row = 0; row < matrix.length; row++) {
            html.append("<tr><td>").append(escape(report.classes().get(row))).append("</td>");
            for (int count : matrix[row]) {
                html.append("<td>").append(count).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
    }

    static String format(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
