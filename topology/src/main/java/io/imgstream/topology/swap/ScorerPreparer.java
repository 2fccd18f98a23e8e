package io.imgstream.topology.swap;

import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.inference.BundleScorer;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.runtime.lifecycle.BackgroundThreads;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes a verified bundle ready to score, off the hot path: builds its scorer, sizes its batches for its own
 * memory estimate ({@link BatchSizing}), and runs one forward pass on a few grey images of its input size
 * ({@code model.warmup.images}, at most the batch size). The pass creates what the first real batch would otherwise
 * pay for on the inference thread: the fast path's buffers, oneDNN's primitives, DL4J's lazily built parts (not its
 * workspaces, which are per thread: the inference thread still sizes its own, a small cost beside the rest). A model
 * that fails that pass would fail every batch, so it is refused like a bundle that does not verify.
 *
 * <p>Why a few images and not a full batch: measured on VGG16 at 150x150 (two cores), the first batch of 8 after a
 * one-image pass took as long as later ones, while a warm-up of 8 costs a full forward pass (0.9 s alone, about
 * twice that beside the current version scoring) between the announcement and the switch. Two images still catch a
 * network that scores one image but not a batch; only a full batch checks the memory estimate.
 *
 * <p>Thread-safe and stateless.
 */
public final class ScorerPreparer {

    private static final Color GREY = new Color(128, 128, 128);

    private final int configuredBatchSize;
    private final long maxMemoryBytes;
    private final int warmUpImages;

    /**
     * @param configuredBatchSize {@code batch.size}: the most images per forward pass, or 0 to choose for the backend
     * @param maxMemoryBytes      {@code batch.memory.max.bytes}: the most one forward pass may need
     * @param warmUpImages        {@code model.warmup.images}: images in the warm-up pass, at most the batch size
     */
    public ScorerPreparer(int configuredBatchSize, long maxMemoryBytes, int warmUpImages) {
        if (configuredBatchSize < 0 || maxMemoryBytes < 1 || warmUpImages < 1) {
            throw new IllegalArgumentException("configuredBatchSize must be at least 0, maxMemoryBytes and "
                    + "warmUpImages at least 1, got " + configuredBatchSize + ", " + maxMemoryBytes + " and "
                    + warmUpImages);
        }
        this.configuredBatchSize = configuredBatchSize;
        this.maxMemoryBytes = maxMemoryBytes;
        this.warmUpImages = warmUpImages;
    }

    /**
     * Builds, sizes and warms up the scorer of {@code bundle}; on refusal the bundle's memory is released.
     *
     * @param bundle       a loaded and verified bundle; the scorer owns it from now on
     * @param withFeatures whether the scorer will score with features (the primary) or without (a shadow), so that
     *                     the warm-up runs the same code path
     * @throws ModelRefusedException if the scorer can't be built or its warm-up pass fails
     */
    public PreparedScorer prepare(ModelBundle bundle, boolean withFeatures) throws ModelRefusedException {
        String label = bundle.manifest().modelName() + " v" + bundle.manifest().version();
        Preprocessing input = bundle.manifest().preprocessing();
        ImageScorer scorer = null;
        int batchSize = 0;
        int images = 0;
        try {
            batchSize = BatchSizing.resolve(configuredBatchSize, bundle.network(), input, maxMemoryBytes);
            images = Math.min(warmUpImages, batchSize);
            scorer = new BundleScorer(bundle);
            try {
                warmUp(scorer, input, images, withFeatures);
            } finally {
                // DL4J's workspaces are per thread: the ones this pass sized would hold a batch's activations on the
                // calling thread for as long as it lives, and the inference thread can't use them.
                Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
            }
            return new PreparedScorer(scorer, batchSize);
        } catch (RuntimeException | Error e) {
            if (BackgroundThreads.isFatal(e)) {
                throw e;
            }
            if (scorer != null) {
                scorer.close();
            } else {
                bundle.network().clear();
            }
            throw new ModelRefusedException(
                    label + ": building its scorer, or scoring a warm-up batch of " + images + " grey "
                            + input.width() + "x" + input.height() + " images with it, failed (" + e + "); it would "
                            + "fail on real batches too: republish a version whose network scores batches of the "
                            + "input its manifest names",
                    e);
        }
    }

    private static void warmUp(ImageScorer scorer, Preprocessing input, int images, boolean withFeatures) {
        BufferedImage grey = new BufferedImage(input.width(), input.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = grey.createGraphics();
        try {
            graphics.setColor(GREY);
            graphics.fillRect(0, 0, input.width(), input.height());
        } finally {
            graphics.dispose();
        }
        List<BufferedImage> batch = Collections.nCopies(images, grey);
        ImageScorer.Scores scores =
                withFeatures ? scorer.scoreWithFeatures(batch) : new ImageScorer.Scores(scorer.score(batch), List.of());
        if (scores.probabilities().size() != images
                || !(scores.features().isEmpty() || scores.features().size() == images)) {
            throw new IllegalStateException(
                    "it returned " + scores.probabilities().size() + " results and "
                            + scores.features().size() + " feature vectors for " + images + " images");
        }
    }
}
