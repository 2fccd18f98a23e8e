package io.imgstream.topology.scoring;

import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.inference.ModelIdentity;
import java.util.List;

/**
 * The result of one batch's share of a forward pass: its images' scores, from the models the pass ran with.
 *
 * @param batchId          identifies the forward pass; on every prediction it produced
 * @param passSize         images in the forward pass (this batch's and those coalesced with it)
 * @param model            the primary model
 * @param scores           one entry per image, in batch order
 * @param shadowModel      the shadow model, or null when none ran
 * @param shadowScores     the shadow model's entries, in batch order, or empty when none ran or it failed
 * @param featureLayout    where the primary's {@link Scored#features()} come from, or null when it has none
 * @param startedAtMs      wall-clock time the forward pass started, epoch milliseconds
 * @param inferenceNanos   duration of the primary forward pass
 */
public record ScoredBatch(String batchId, int passSize, ModelIdentity model, List<ImageScore> scores, ModelIdentity shadowModel,
                          List<ImageScore> shadowScores, ImageScorer.FeatureLayout featureLayout, long startedAtMs,
                          long inferenceNanos) {

    public ScoredBatch {
        scores = List.copyOf(scores);
        shadowScores = List.copyOf(shadowScores);
    }

    /** One image's outcome. */
    public sealed interface ImageScore {
    }

    /**
     * The model's probabilities, in the order of its classes.
     *
     * @param features the image's bottleneck features (flattened, channels first), or null when not computed
     */
    public record Scored(float[] probabilities, float[] features) implements ImageScore {
    }

    /**
     * The model failed on this image alone (the rest of its batch scored).
     *
     * @param message        what went wrong
     * @param exceptionClass class of the exception the model threw
     */
    public record Failed(String message, String exceptionClass) implements ImageScore {
    }
}
