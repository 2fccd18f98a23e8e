package io.imgstream.topology.scoring;

import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.inference.ModelIdentity;
import java.util.List;

/**
 * The result of one batch's share of a forward pass: its images with their outcomes, and the facts of the pass
 * they ran in. Immutable.
 *
 * @param batchId        identifies the forward pass; on every prediction it produced
 * @param passSize       images in the forward pass (this batch's and those coalesced with it)
 * @param model          the primary model
 * @param shadowModel    the shadow model, or null when none ran
 * @param canaryModel    the canary model, or null when none was installed
 * @param featureLayout  where the primary's {@link ScoredImage.Scored#features()} come from, or null when it has
 *                       none
 * @param startedAtMs    wall-clock time the forward pass started, epoch milliseconds
 * @param inferenceNanos duration of the primary forward pass
 * @param images         the batch's images, in the order they were submitted
 */
public record ScoredBatch(
        String batchId,
        int passSize,
        ModelIdentity model,
        ModelIdentity shadowModel,
        ModelIdentity canaryModel,
        ImageScorer.FeatureLayout featureLayout,
        long startedAtMs,
        long inferenceNanos,
        List<ScoredImage> images) {

    public ScoredBatch {
        images = List.copyOf(images);
    }

    /** The same pass's result for {@code share} of its images: what one submitter of a coalesced pass gets. */
    ScoredBatch withImages(List<ScoredImage> share) {
        return new ScoredBatch(
                batchId, passSize, model, shadowModel, canaryModel, featureLayout, startedAtMs, inferenceNanos, share);
    }
}
