package io.imgstream.evaluation;

import io.imgstream.model.evaluation.ClassScores;
import io.imgstream.model.evaluation.ClassificationReport;
import io.imgstream.model.evaluation.TrainingCurves;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;

/** The report's PNG plots, drawn with XChart: confusion matrix, per-class scores, training curves. */
final class EvaluationCharts {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 600;

    private EvaluationCharts() {}

    /** A heat map of the confusion matrix: true classes down, predicted across. */
    static void confusion(ClassificationReport report, String title, Path file) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("predicted")
                .yAxisTitle("true")
                .build();
        chart.getStyler().setShowValue(true).setLegendVisible(false);
        int[][] matrix = report.confusion();
        List<Number[]> cells = new ArrayList<>();
        int k = matrix.length;
        for (int truth = 0; truth < k; truth++) {
            for (int predicted = 0; predicted < k; predicted++) {
                // Rows run bottom-up on the chart; flip them so the first class is on top, as in a printed matrix.
                cells.add(new Number[] {predicted, k - 1 - truth, matrix[truth][predicted]});
            }
        }
        List<String> reversed = new ArrayList<>(report.classes());
        Collections.reverse(reversed);
        chart.addSeries("confusion", report.classes(), reversed, cells);
        save(chart, file);
    }

    /** Precision, recall and F1 per class, as grouped bars. */
    static void perClass(ClassificationReport report, String title, Path file) throws IOException {
        CategoryChart chart = new CategoryChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("class")
                .yAxisTitle("score")
                .build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setXAxisLabelRotation(45);
        List<ClassScores> scores = report.perClass();
        List<String> labels = scores.stream().map(ClassScores::label).toList();
        chart.addSeries(
                "precision", labels, scores.stream().map(ClassScores::precision).toList());
        chart.addSeries(
                "recall", labels, scores.stream().map(ClassScores::recall).toList());
        chart.addSeries("F1", labels, scores.stream().map(ClassScores::f1).toList());
        save(chart, file);
    }

    /** Loss and accuracy per epoch of the version's training run, training and validation. */
    static void curves(TrainingCurves curves, String title, Path file) throws IOException {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle("epoch")
                .build();
        chart.addSeries("train loss", curves.epoch(), curves.trainLoss());
        chart.addSeries("validation loss", curves.epoch(), curves.validationLoss());
        chart.addSeries("train accuracy", curves.epoch(), curves.trainAccuracy());
        chart.addSeries("validation accuracy", curves.epoch(), curves.validationAccuracy());
        save(chart, file);
    }

    private static void save(Chart<?, ?> chart, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG);
        }
    }
}
