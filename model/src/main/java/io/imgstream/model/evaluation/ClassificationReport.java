package io.imgstream.model.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Accuracy, per-class scores and the confusion matrix of predictions against true labels.
 *
 * <p>Immutable; {@link #confusion()} returns a copy.
 */
public final class ClassificationReport {

    private final List<String> classes;
    private final int[][] confusion;
    private final int count;
    private final int correct;

    private ClassificationReport(List<String> classes, int[][] confusion, int count, int correct) {
        this.classes = classes;
        this.confusion = confusion;
        this.count = count;
        this.correct = correct;
    }

    /**
     * Compares predictions with the truth.
     *
     * @param classes   class labels; indices into this list are the values of {@code truth} and {@code predicted}
     * @param truth     true class of each example
     * @param predicted predicted class of each example, same length as {@code truth}
     * @return the report
     * @throws IllegalArgumentException if the arrays differ in length or hold an index outside {@code classes}
     */
    public static ClassificationReport of(List<String> classes, int[] truth, int[] predicted) {
        Objects.requireNonNull(classes, "classes");
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " true labels but " + predicted.length + " predictions");
        }
        int k = classes.size();
        int[][] confusion = new int[k][k];
        int correct = 0;
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] < 0 || truth[i] >= k || predicted[i] < 0 || predicted[i] >= k) {
                throw new IllegalArgumentException("example " + i + " has class index " + truth[i] + " / "
                        + predicted[i] + " outside the " + k + " classes");
            }
            confusion[truth[i]][predicted[i]]++;
            if (truth[i] == predicted[i]) {
                correct++;
            }
        }
        return new ClassificationReport(List.copyOf(classes), confusion, truth.length, correct);
    }

    /** The class labels, in the order of the confusion matrix's rows and columns. */
    public List<String> classes() {
        return classes;
    }

    /** Number of examples. */
    public int count() {
        return count;
    }

    /** Number of correct predictions. */
    public int correct() {
        return correct;
    }

    /** Fraction of correct predictions; 0 for no examples. */
    public double accuracy() {
        return count == 0 ? 0 : (double) correct / count;
    }

    /** Rows are true classes, columns predicted classes. */
    public int[][] confusion() {
        return Arrays.stream(confusion).map(int[]::clone).toArray(int[][]::new);
    }

    /** Precision, recall and F1 of every class, in class order. */
    public List<ClassScores> perClass() {
        List<ClassScores> scores = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            int truePositives = confusion[c][c];
            int support = Arrays.stream(confusion[c]).sum();
            int predictedAs = 0;
            for (int[] row : confusion) {
                predictedAs += row[c];
            }
            double precision = predictedAs == 0 ? 0 : (double) truePositives / predictedAs;
            double recall = support == 0 ? 0 : (double) truePositives / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            scores.add(new ClassScores(classes.get(c), precision, recall, f1, support));
        }
        return scores;
    }
}
