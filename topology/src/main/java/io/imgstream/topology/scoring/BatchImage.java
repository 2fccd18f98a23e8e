package io.imgstream.topology.scoring;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * An image of a closed batch, fetched and decoded, on its way to the forward pass. Only the inference thread
 * reads the pixels, and only until its forward pass is done: the {@link ScoredImage} it becomes drops them.
 *
 * @param pending the image as the batcher's store holds it
 * @param pixels  the decoded pixels
 * @param fetchMs wall-clock time spent fetching and decoding it, in milliseconds
 */
public record BatchImage(PendingImage pending, BufferedImage pixels, double fetchMs) {

    public BatchImage {
        Objects.requireNonNull(pending, "pending");
        Objects.requireNonNull(pixels, "pixels");
    }

    /** This image's outcome of a forward pass, without its pixels. */
    ScoredImage scored(ScoredImage.Score score, ScoredImage.Score shadowScore, ScoredImage.Score canaryScore) {
        return new ScoredImage(pending, fetchMs, score, shadowScore, canaryScore);
    }
}
