package io.imgstream.topology.scoring;

import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.ScoredBatch.Failed;
import io.imgstream.topology.scoring.ScoredBatch.ImageScore;
import io.imgstream.topology.scoring.ScoredBatch.Scored;
import io.imgstream.topology.swap.ModelSlot;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs forward passes on one dedicated thread, off the stream threads, so polling, commits and heartbeats never
 * wait for the network. Every stream task of the instance hands its batches here; each task bounds how many it
 * has in flight, which bounds this executor's queue.
 *
 * <p>The models come from the {@link ModelSlot}, read once at the start of each batch: a swap takes effect
 * between batches. If a batch fails as a whole, its images are scored one by one so that only the image the
 * model really fails on is reported as {@link Failed}.
 *
 * <p>Thread-safe.
 */
public final class InferenceExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceExecutor.class);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

    private final ModelSlot slot;
    private final ScorerMetrics metrics;
    private final Time time;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread inference = new Thread(runnable, "imgstream-inference");
        inference.setDaemon(true);
        return inference;
    });
    private volatile ModelIdentity lastPrimary;

    /**
     * @param slot    the models to score with
     * @param metrics where forward passes and swaps are timed
     * @param time    the clock of batch start times
     */
    public InferenceExecutor(ModelSlot slot, ScorerMetrics metrics, Time time) {
        this.slot = Objects.requireNonNull(slot, "slot");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.time = Objects.requireNonNull(time, "time");
        this.lastPrimary = slot.primaryModel();
    }

    /**
     * Queues a batch for scoring.
     *
     * @param batchId identifies the batch on its predictions
     * @param images  decoded images, at least one
     * @return completes with the batch's scores; completes exceptionally only if the executor was closed
     */
    public CompletableFuture<ScoredBatch> submit(String batchId, List<BufferedImage> images) {
        List<BufferedImage> batch = List.copyOf(images);
        return CompletableFuture.supplyAsync(() -> run(batchId, batch), thread);
    }

    private ScoredBatch run(String batchId, List<BufferedImage> images) {
        ModelSlot.Models models = slot.acquireForBatch();
        noteSwap(models);
        long startedAtMs = time.milliseconds();
        long started = time.nanoseconds();
        List<ImageScore> scores = score(models.primary(), images, true);
        long inferenceNanos = time.nanoseconds() - started;
        metrics.batchScored(images.size(), inferenceNanos);
        List<ImageScore> shadowScores = List.of();
        ModelIdentity shadowModel = null;
        if (models.shadow() != null) {
            shadowModel = models.shadow().model();
            shadowScores = score(models.shadow(), images, false);
        }
        return new ScoredBatch(batchId, models.primary().model(), scores, shadowModel, shadowScores,
                models.primary().featureLayout().orElse(null), startedAtMs, inferenceNanos);
    }

    private void noteSwap(ModelSlot.Models models) {
        ModelIdentity primary = models.primary().model();
        if (primary.equals(lastPrimary)) {
            return;
        }
        LOG.info("Scoring with {} v{} from this batch on (was v{})", primary.name(), primary.version(),
                lastPrimary.version());
        lastPrimary = primary;
        Instant announced = models.announcedAt();
        if (announced != null) {
            metrics.swapAdopted(Duration.ofMillis(Math.max(0, time.milliseconds() - announced.toEpochMilli())));
        }
    }

    /** Scores a batch, with features when asked and the model has them; on failure, image by image. */
    private static List<ImageScore> score(ImageScorer scorer, List<BufferedImage> images, boolean withFeatures) {
        try {
            return scored(scorer, run(scorer, images, withFeatures), images.size());
        } catch (RuntimeException batchFailure) {
            if (images.size() == 1) {
                return List.of(failed(scorer, batchFailure));
            }
            LOG.warn("Model {} v{} failed on a batch of {} images ({}); scoring them one by one", scorer.model().name(),
                    scorer.model().version(), images.size(), batchFailure.toString());
            List<ImageScore> scores = new ArrayList<>(images.size());
            for (BufferedImage image : images) {
                try {
                    scores.addAll(scored(scorer, run(scorer, List.of(image), withFeatures), 1));
                } catch (RuntimeException e) {
                    scores.add(failed(scorer, e));
                }
            }
            return scores;
        }
    }

    private static ImageScorer.Scores run(ImageScorer scorer, List<BufferedImage> images, boolean withFeatures) {
        return withFeatures ? scorer.scoreWithFeatures(images) : new ImageScorer.Scores(scorer.score(images), List.of());
    }

    private static List<ImageScore> scored(ImageScorer scorer, ImageScorer.Scores result, int images) {
        List<float[]> probabilities = result.probabilities();
        List<float[]> features = result.features();
        if (probabilities.size() != images || !(features.isEmpty() || features.size() == images)) {
            throw new IllegalStateException("model " + scorer.model().name() + " v" + scorer.model().version()
                    + " returned " + probabilities.size() + " results and " + features.size() + " feature vectors for "
                    + images + " images");
        }
        List<ImageScore> scores = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            scores.add(new Scored(probabilities.get(i), features.isEmpty() ? null : features.get(i)));
        }
        return scores;
    }

    private static Failed failed(ImageScorer scorer, RuntimeException e) {
        return new Failed("model " + scorer.model().name() + " v" + scorer.model().version() + " failed to score it: "
                + e, e.getClass().getName());
    }

    /** Finishes the batch running now (queued ones are dropped: their images stay pending) and stops the thread. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("The inference thread did not stop within {}", SHUTDOWN_GRACE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
