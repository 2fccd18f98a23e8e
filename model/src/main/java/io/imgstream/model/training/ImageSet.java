package io.imgstream.model.training;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Labelled images of any size and type, for training through a whole network (fine-tuning).
 *
 * <p>The images are shared, not copied: don't modify them. Immutable by convention and then thread-safe.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if the counts differ or a label is negative.
 *
 * @param images the images
 * @param labels one class label per image, each 0 or higher
 */
public record ImageSet(List<BufferedImage> images, int[] labels) {

    public ImageSet {
        images = List.copyOf(images);
        Objects.requireNonNull(labels, "labels");
        if (images.size() != labels.length) {
            throw new IllegalArgumentException(images.size() + " images but " + labels.length + " labels");
        }
        if (Arrays.stream(labels).anyMatch(label -> label < 0)) {
            throw new IllegalArgumentException("labels must be 0 or higher");
        }
    }

    /**
     * Decodes idx images into an image set.
     *
     * @param data grey images with labels
     * @return one {@code TYPE_BYTE_GRAY} image per entry
     */
    public static ImageSet of(LabeledImages data) {
        List<BufferedImage> images = new ArrayList<>(data.count());
        for (int i = 0; i < data.count(); i++) {
            images.add(data.image(i));
        }
        return new ImageSet(images, data.labels());
    }

    /**
     * Returns the number of images.
     *
     * @return the count
     */
    public int count() {
        return labels.length;
    }

    /**
     * Returns the number of classes, taken as the highest label plus one.
     *
     * @return the class count, 0 if empty
     */
    public int classCount() {
        return Arrays.stream(labels).max().orElse(-1) + 1;
    }
}
