package io.imgstream.model.features;

import java.util.Arrays;
import java.util.Objects;

/**
 * The bottleneck features of one image: the base network's output for it, flattened in C order
 * (channels first, then rows, then columns), with the shape it had.
 *
 * <p>The array is shared, not copied, so a cache of thousands of vectors holds each once: don't
 * modify it. {@code equals} and {@code hashCode} compare contents. Immutable by convention and
 * then thread-safe.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if the shape is empty, has a dimension
 * below 1, or its product differs from the number of values.
 *
 * @param values the features, {@code product(shape)} floats
 * @param shape  the shape of one image's features, e.g. {@code [512, 4, 4]}; copied
 */
public record BottleneckFeatures(float[] values, long[] shape) {

    public BottleneckFeatures {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(shape, "shape");
        shape = shape.clone();
        if (shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("shape must have positive dimensions, was " + Arrays.toString(shape));
        }
        if (length(shape) != values.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + length(shape) + " values, got " + values.length);
        }
    }

    /**
     * Returns the number of values a shape holds.
     *
     * @param shape dimensions, each positive
     * @return their product
     */
    public static long length(long[] shape) {
        long product = 1;
        for (long dimension : shape) {
            product = Math.multiplyExact(product, dimension);
        }
        return product;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BottleneckFeatures that
                && Arrays.equals(values, that.values)
                && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(values) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "BottleneckFeatures" + Arrays.toString(shape);
    }
}
