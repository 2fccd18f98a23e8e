package io.imgstream.model.explain;

import java.util.List;
import java.util.Objects;

/**
 * Where in an image the evidence for a class lies: one value per image pixel, row-major, in {@code
 * [0, 1]} (1 = the strongest evidence in this image; all 0 when nothing speaks for the class).
 *
 * <p>The array is shared, not copied: don't modify it. Immutable by convention and then thread-safe.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if the size does not match the values.
 *
 * @param width            image width, pixels; positive
 * @param height           image height, pixels; positive
 * @param values           {@code width * height} values in {@code [0, 1]}, row after row
 * @param classIndex       the class explained
 * @param classProbability the network's probability for that class on this image
 * @param layers           the layers whose activations the map was computed from: one, or one per base of a
 *                         concatenated bundle
 */
public record Heatmap(
        int width, int height, float[] values, int classIndex, double classProbability, List<String> layers) {

    public Heatmap {
        Objects.requireNonNull(values, "values");
        layers = List.copyOf(layers);
        if (width <= 0 || height <= 0 || values.length != (long) width * height) {
            throw new IllegalArgumentException("a " + width + " x " + height + " heatmap needs " + (long) width * height
                    + " values, got " + values.length);
        }
    }

    /**
     * Returns the value at a pixel.
     *
     * @param x column, {@code 0 <= x < width}
     * @param y row, {@code 0 <= y < height}
     * @return the value, in {@code [0, 1]}
     */
    public float at(int x, int y) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        return values[y * width + x];
    }
}
