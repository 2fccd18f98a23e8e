package io.imgstream.model.head;

import io.imgstream.model.features.BottleneckFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labelled bottleneck features: the head's training data. One <em>input</em> per base network; with
 * several inputs (multi-base concatenation) example {@code i} of every input belongs to the same
 * image, and the head concatenates them.
 *
 * <p>Arrays are shared, not copied: don't modify them. Immutable by convention and then thread-safe.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if there is no input, the inputs and
 * shapes disagree in number, an input has a different number of rows than there are labels, a row
 * has the wrong length for its shape, or a label is negative.
 *
 * @param inputs per base, one flattened feature vector per example
 * @param shapes per base, the shape of one example's features
 * @param labels one class label per example
 */
public record LabeledFeatures(List<float[][]> inputs, List<long[]> shapes, int[] labels) {

    public LabeledFeatures {
        inputs = List.copyOf(inputs);
        shapes = shapes.stream().map(long[]::clone).toList();
        Objects.requireNonNull(labels, "labels");
        if (inputs.isEmpty() || inputs.size() != shapes.size()) {
            throw new IllegalArgumentException("need one shape per input and at least one input, got " + inputs.size()
                    + " inputs and " + shapes.size() + " shapes");
        }
        for (int b = 0; b < inputs.size(); b++) {
            float[][] rows = inputs.get(b);
            long length = BottleneckFeatures.length(shapes.get(b));
            if (rows.length != labels.length) {
                throw new IllegalArgumentException(
                        "input " + b + " has " + rows.length + " examples for " + labels.length + " labels");
            }
            for (int i = 0; i < rows.length; i++) {
                if (rows[i].length != length) {
                    throw new IllegalArgumentException("example " + i + " of input " + b + " has " + rows[i].length
                            + " values; shape " + Arrays.toString(shapes.get(b)) + " needs " + length);
                }
            }
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException(
                        "label of example " + i + " is " + labels[i] + "; labels must be 0 or higher");
            }
        }
    }

    /**
     * Labelled features of one base.
     *
     * @param features one vector per example, all of the same shape
     * @param labels   one label per example
     * @return the data set
     * @throws IllegalArgumentException if the lists are empty or differ in length, or the shapes differ
     */
    public static LabeledFeatures of(List<BottleneckFeatures> features, int[] labels) {
        Objects.requireNonNull(features, "features");
        if (features.isEmpty()) {
            throw new IllegalArgumentException("features must not be empty");
        }
        long[] shape = features.get(0).shape();
        float[][] rows = new float[features.size()][];
        for (int i = 0; i < rows.length; i++) {
            if (!Arrays.equals(features.get(i).shape(), shape)) {
                throw new IllegalArgumentException("example " + i + " has shape "
                        + Arrays.toString(features.get(i).shape()) + ", example 0 has " + Arrays.toString(shape));
            }
            rows[i] = features.get(i).values();
        }
        return new LabeledFeatures(List.<float[][]>of(rows), List.<long[]>of(shape), labels);
    }

    /**
     * Puts several bases' features of the same examples side by side: the multi-base ensemble.
     *
     * @param perBase data sets over the same examples in the same order, with equal labels
     * @return one data set with all their inputs, in argument order
     * @throws IllegalArgumentException if the labels differ
     */
    public static LabeledFeatures concat(LabeledFeatures... perBase) {
        if (perBase.length == 0) {
            throw new IllegalArgumentException("need at least one data set");
        }
        List<float[][]> inputs = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (LabeledFeatures data : perBase) {
            if (!Arrays.equals(data.labels, perBase[0].labels)) {
                throw new IllegalArgumentException(
                        "multi-base features must describe the same examples with the same labels");
            }
            inputs.addAll(data.inputs);
            shapes.addAll(data.shapes);
        }
        return new LabeledFeatures(inputs, shapes, perBase[0].labels);
    }

    /**
     * Appends another data set's examples to these.
     *
     * @param more examples of the same bases, with the same feature shapes
     * @return a new data set sharing the feature rows: these examples, then {@code more}'s
     * @throws IllegalArgumentException if the bases or their shapes differ
     */
    public LabeledFeatures plus(LabeledFeatures more) {
        if (more.shapes.size() != shapes.size()
                || IntStream.range(0, shapes.size()).anyMatch(b -> !Arrays.equals(shapes.get(b), more.shapes.get(b)))) {
            throw new IllegalArgumentException("examples of different bases or feature shapes can't be joined");
        }
        List<float[][]> joined = new ArrayList<>();
        for (int b = 0; b < inputs.size(); b++) {
            float[][] rows = Arrays.copyOf(inputs.get(b), count() + more.count());
            System.arraycopy(more.inputs.get(b), 0, rows, count(), more.count());
            joined.add(rows);
        }
        int[] joinedLabels = Arrays.copyOf(labels, count() + more.count());
        System.arraycopy(more.labels, 0, joinedLabels, count(), more.count());
        return new LabeledFeatures(joined, shapes, joinedLabels);
    }

    /**
     * Returns the number of examples.
     *
     * @return the count
     */
    public int count() {
        return labels.length;
    }

    /**
     * Returns the number of classes, taken as the highest label plus one.
     *
     * @return the class count, 0 if there are no examples
     */
    public int classCount() {
        return Arrays.stream(labels).max().orElse(-1) + 1;
    }

    /**
     * Counts examples per class.
     *
     * @param classes the number of classes to count, at least {@link #classCount()}
     * @return entry {@code c} is the number of examples labelled {@code c}
     */
    public int[] countsPerClass(int classes) {
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * Selects examples by index, in the given order; an index may repeat.
     *
     * @param indices the examples to keep
     * @return a new data set sharing the feature rows
     */
    public LabeledFeatures subset(int[] indices) {
        List<float[][]> selected = new ArrayList<>();
        for (float[][] rows : inputs) {
            float[][] kept = new float[indices.length][];
            for (int i = 0; i < indices.length; i++) {
                kept[i] = rows[indices[i]];
            }
            selected.add(kept);
        }
        int[] keptLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            keptLabels[i] = labels[indices[i]];
        }
        return new LabeledFeatures(selected, shapes, keptLabels);
    }

    /**
     * Builds the head's input arrays for a minibatch.
     *
     * @param order which examples: {@code order[from + i]} for {@code i < size}
     * @param from  first position in {@code order}
     * @param size  number of examples
     * @return per input, an array of shape {@code [size, shape...]}
     */
    public INDArray[] batch(int[] order, int from, int size) {
        INDArray[] arrays = new INDArray[inputs.size()];
        for (int b = 0; b < arrays.length; b++) {
            float[][] rows = inputs.get(b);
            long[] shape = shapes.get(b);
            int length = Math.toIntExact(BottleneckFeatures.length(shape));
            float[] values = new float[size * length];
            for (int i = 0; i < size; i++) {
                System.arraycopy(rows[order[from + i]], 0, values, i * length, length);
            }
            long[] batchShape = new long[shape.length + 1];
            batchShape[0] = size;
            System.arraycopy(shape, 0, batchShape, 1, shape.length);
            arrays[b] = Nd4j.create(values, batchShape, 'c');
        }
        return arrays;
    }

    @Override
    public List<long[]> shapes() {
        return shapes.stream().map(long[]::clone).toList();
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof LabeledFeatures that)
                || !Arrays.equals(labels, that.labels)
                || inputs.size() != that.inputs.size()) {
            return false;
        }
        for (int b = 0; b < inputs.size(); b++) {
            if (!Arrays.equals(shapes.get(b), that.shapes.get(b))
                    || !Arrays.deepEquals(inputs.get(b), that.inputs.get(b))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "LabeledFeatures[" + count() + " examples, shapes "
                + shapes.stream().map(Arrays::toString).toList() + "]";
    }
}
