package io.imgstream.topology.scoring;

import java.util.Objects;

/**
 * One image's outcome of a forward pass: everything its outputs are made from, in one record.
 *
 * @param pending     the image as the batcher's store holds it
 * @param fetchMs     wall-clock time spent fetching and decoding it, in milliseconds
 * @param score       the primary model's outcome
 * @param shadowScore the shadow model's outcome, or null when no shadow model ran
 * @param canaryScore the canary model's outcome, or null when the image is not in a canary's share
 */
public record ScoredImage(PendingImage pending, double fetchMs, Score score, Score shadowScore, Score canaryScore) {

    public ScoredImage {
        Objects.requireNonNull(pending, "pending");
        Objects.requireNonNull(score, "score");
    }

    /**
     * The outcome that decides what becomes of the image: the canary's when it scored the image, else the
     * primary's (which a canary's failure falls back on).
     */
    public Score outcome() {
        return canaryScore instanceof Scored ? canaryScore : score;
    }

    /** What one model made of the image. */
    public sealed interface Score {}

    /**
     * The model's probabilities, in the order of its classes.
     *
     * @param features the image's bottleneck features (flattened, channels first), or null when not computed
     */
    public record Scored(float[] probabilities, float[] features) implements Score {}

    /**
     * The model failed on this image alone (the rest of its pass scored).
     *
     * @param cause what the model threw
     */
    public record Failed(Throwable cause) implements Score {}
}
