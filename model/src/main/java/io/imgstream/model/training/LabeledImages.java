package io.imgstream.model.training;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Objects;

/**
 * Grey 8-bit images of one size with integer class labels, stored row-major in one array, as in
 * the idx files of MNIST and Fashion-MNIST.
 *
 * <p>The arrays are shared, not copied, so that a 47 MB data set is not duplicated: don't modify
 * them. {@link #subset} and {@link #firstPerClass} return new arrays. {@code equals} and
 * {@code hashCode} compare array contents. Immutable by convention and then thread-safe.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a size is out of range, an array
 * has the wrong length or a label is negative.
 *
 * @param count  number of images; not negative
 * @param height image height in pixels; positive
 * @param width  image width in pixels; positive
 * @param pixels {@code count * height * width} unsigned bytes, image after image, row after row
 * @param labels {@code count} class labels, each 0 or higher
 */
public record LabeledImages(int count, int height, int width, byte[] pixels, int[] labels) {

    public LabeledImages {
        if (count < 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("need count >= 0 and positive height and width, got " + count
                    + " images of " + height + " x " + width);
        }
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (pixels.length != (long) count * height * width) {
            throw new IllegalArgumentException("pixels has " + pixels.length + " bytes; " + count + " images of "
                    + height + " x " + width + " need " + (long) count * height * width);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries for " + count + " images");
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException(
                        "label of image " + i + " is " + labels[i] + "; labels must be 0 or higher");
            }
        }
    }

    /**
     * Returns one image.
     *
     * @param index the image, {@code 0 <= index < count}
     * @return a new {@code TYPE_BYTE_GRAY} image holding a copy of the pixels
     */
    public BufferedImage image(int index) {
        Objects.checkIndex(index, count);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        int size = height * width;
        image.getRaster()
                .setDataElements(0, 0, width, height, Arrays.copyOfRange(pixels, index * size, (index + 1) * size));
        return image;
    }

    /**
     * Returns the label of one image.
     *
     * @param index the image, {@code 0 <= index < count}
     * @return its class label
     */
    public int label(int index) {
        Objects.checkIndex(index, count);
        return labels[index];
    }

    /**
     * Returns the number of classes, taken as the highest label plus one.
     *
     * @return the class count, 0 if there are no images
     */
    public int classCount() {
        return Arrays.stream(labels).max().orElse(-1) + 1;
    }

    /**
     * Counts images per class.
     *
     * @return an array of length {@link #classCount()}; entry {@code c} is the number of images labelled {@code c}
     */
    public int[] countsPerClass() {
        int[] counts = new int[classCount()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * Selects images by index, in the given order; an index may repeat.
     *
     * @param indices the images to keep
     * @return a new data set with copied arrays
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public LabeledImages subset(int[] indices) {
        Objects.requireNonNull(indices, "indices");
        int size = height * width;
        byte[] selectedPixels = new byte[indices.length * size];
        int[] selectedLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int source = Objects.checkIndex(indices[i], count);
            System.arraycopy(pixels, source * size, selectedPixels, i * size, size);
            selectedLabels[i] = labels[source];
        }
        return new LabeledImages(indices.length, height, width, selectedPixels, selectedLabels);
    }

    /**
     * Keeps the first {@code perClass} images of every class, in their original order: a balanced
     * subset that is the same every time.
     *
     * @param perClass images to keep per class; positive
     * @return the subset; a class with fewer images keeps all of them
     */
    public LabeledImages firstPerClass(int perClass) {
        if (perClass <= 0) {
            throw new IllegalArgumentException("perClass must be positive, was " + perClass);
        }
        int[] taken = new int[classCount()];
        int[] indices = new int[count];
        int selected = 0;
        for (int i = 0; i < count; i++) {
            if (taken[labels[i]] < perClass) {
                taken[labels[i]]++;
                indices[selected++] = i;
            }
        }
        return subset(Arrays.copyOf(indices, selected));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabeledImages that
                && count == that.count
                && height == that.height
                && width == that.width
                && Arrays.equals(pixels, that.pixels)
                && Arrays.equals(labels, that.labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, height, width, Arrays.hashCode(pixels), Arrays.hashCode(labels));
    }

    @Override
    public String toString() {
        return "LabeledImages[" + count + " images of " + height + "x" + width + ", per class "
                + Arrays.toString(countsPerClass()) + "]";
    }
}
