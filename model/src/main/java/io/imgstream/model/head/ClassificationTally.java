package io.imgstream.model.head;

import io.imgstream.model.evaluation.EvaluationResult;
import java.util.Objects;

/**
 * Mean cross-entropy ({@link ClassOutputs#crossEntropy}) and accuracy over examples added a batch at a time: how every
 * trainer measures a classifier, so that their figures can be compared.
 *
 * <p>Not thread-safe.
 */
public final class ClassificationTally {

    private double lossSum;
    private int correct;
    private int count;

    /**
     * Measures class probabilities in one go.
     *
     * @param probabilities per example, its class probabilities
     * @param labels        per example, its true class
     * @return the mean loss and accuracy
     * @throws IllegalArgumentException if there are no examples or the two arrays differ in length
     */
    public static EvaluationResult of(float[][] probabilities, int[] labels) {
        Objects.requireNonNull(labels, "labels");
        if (probabilities.length != labels.length) {
            throw new IllegalArgumentException(
                    probabilities.length + " rows of probabilities for " + labels.length + " labels");
        }
        ClassificationTally tally = new ClassificationTally();
        for (int i = 0; i < labels.length; i++) {
            tally.add(probabilities[i], labels[i]);
        }
        return tally.result();
    }

    /**
     * Adds one example.
     *
     * @param probabilities its class probabilities
     * @param label         its true class
     */
    public void add(float[] probabilities, int label) {
        lossSum += ClassOutputs.crossEntropy(probabilities, label);
        if (ClassOutputs.argMax(probabilities) == label) {
            correct++;
        }
        count++;
    }

    /**
     * The examples added so far, measured.
     *
     * @return their mean loss and accuracy
     * @throws IllegalArgumentException if none was added
     */
    public EvaluationResult result() {
        if (count == 0) {
            throw new IllegalArgumentException("no examples to evaluate");
        }
        return new EvaluationResult(count, lossSum / count, (double) correct / count);
    }
}
