package io.imgstream.model.head;

import java.util.Objects;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How class labels map to a head's output units and back: one softmax unit per class, except for
 * two classes, where one sigmoid unit gives the probability of class 1 (as the seeds' binary heads).
 *
 * <p>Stateless and thread-safe.
 */
public final class ClassOutputs {

    /** The least probability the loss takes a true class to have. */
    public static final double PROBABILITY_FLOOR = 1e-7;

    private ClassOutputs() {}

    /**
     * Returns the number of output units for a class count.
     *
     * @param classes number of classes, at least 2
     * @return 1 for two classes, else {@code classes}
     * @throws IllegalArgumentException if classes is below 2
     */
    public static int units(int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        }
        return classes == 2 ? 1 : classes;
    }

    /**
     * Encodes labels as training targets.
     *
     * @param labels  class labels, each in {@code [0, classes)}
     * @param order   which labels to take: {@code labels[order[from + i]]} for {@code i < size}
     * @param from    first position in {@code order}
     * @param size    number of labels
     * @param classes number of classes
     * @return {@code [size, units(classes)]} floats: one-hot rows, or the label itself for two classes
     */
    public static INDArray encode(int[] labels, int[] order, int from, int size, int classes) {
        int units = units(classes);
        float[] values = new float[size * units];
        for (int i = 0; i < size; i++) {
            int label = labels[order[from + i]];
            if (units == 1) {
                values[i] = label;
            } else {
                values[i * units + label] = 1f;
            }
        }
        return Nd4j.create(values, new long[] {size, units}, 'c');
    }

    /**
     * Turns a head's output into per-class probabilities.
     *
     * @param output  the head's output: {@code [n, classes]} softmax, or {@code [n, 1]} sigmoid for two classes
     * @param classes number of classes
     * @return {@code n} rows of {@code classes} probabilities
     */
    public static float[][] probabilities(INDArray output, int classes) {
        Objects.requireNonNull(output, "output");
        float[][] raw = output.castTo(DataType.FLOAT).toFloatMatrix();
        if (classes != 2 || output.size(1) != 1) {
            return raw;
        }
        float[][] result = new float[raw.length][];
        for (int i = 0; i < raw.length; i++) {
            result[i] = new float[] {1f - raw[i][0], raw[i][0]};
        }
        return result;
    }

    /**
     * Returns the class count a head was built for, from its output size.
     *
     * @param outputUnits the output layer's units
     * @return 2 for one unit, else {@code outputUnits}
     */
    public static int classesFor(long outputUnits) {
        return outputUnits == 1 ? 2 : Math.toIntExact(outputUnits);
    }

    /**
     * The class count a network was built for, from its single output layer ({@link #classesFor}).
     *
     * @throws IllegalArgumentException if the network has several outputs, or one of unknown size
     */
    public static int classCount(ComputationGraph network) {
        return classesFor(outputUnits(network));
    }

    /**
     * The units of a network's single output layer.
     *
     * @throws IllegalArgumentException if the network has several outputs, or one of unknown size
     */
    public static int outputUnits(ComputationGraph network) {
        if (network.getNumOutputArrays() != 1
                || !(network.getOutputLayer(0).conf().getLayer() instanceof FeedForwardLayer output)
                || output.getNOut() <= 0) {
            throw new IllegalArgumentException(
                    "the network needs exactly one output layer with a known number of units");
        }
        return Math.toIntExact(output.getNOut());
    }

    /**
     * Checks that labeled data can be used with a network of {@code classes} classes.
     *
     * @param role         what the data is for, as the message names it ("training", "validation", "evaluation")
     * @param count        its number of examples
     * @param labelClasses one more than its highest label
     * @param classes      the network's class count
     * @throws IllegalArgumentException if the data is empty or has a label the network does not output
     */
    public static void requireFits(String role, int count, int labelClasses, int classes) {
        if (count == 0) {
            throw new IllegalArgumentException("the " + role + " data has no examples");
        }
        if (labelClasses > classes) {
            throw new IllegalArgumentException("the " + role + " data has label " + (labelClasses - 1)
                    + " but the network outputs only " + classes + " classes");
        }
    }

    /** The predicted class of a probability row: the index of its largest value, the first on ties. */
    public static int argMax(float[] probabilities) {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * One example's cross-entropy, {@code -ln p(label)} in nats, with {@code p} floored at {@value #PROBABILITY_FLOOR}
     * so that a confident mistake costs much but never infinity. Every trainer's loss uses it.
     */
    public static double crossEntropy(float[] probabilities, int label) {
        return -Math.log(Math.max(PROBABILITY_FLOOR, probabilities[label]));
    }
}
