package io.imgstream.topology.scoring;

import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.runtime.lifecycle.BackgroundThreads;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.ScoredImage.Failed;
import io.imgstream.topology.scoring.ScoredImage.Score;
import io.imgstream.topology.scoring.ScoredImage.Scored;
import io.imgstream.topology.swap.ModelSlot;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs forward passes on one dedicated thread, off the stream threads, so polling, commits and heartbeats never
 * wait for the network. Every stream task of the instance hands its batches here; each task bounds how many it
 * has in flight, which bounds this executor's queue.
 *
 * <p><strong>Coalescing:</strong> batches that queue up while a forward pass runs (from other partitions'
 * tasks, typically) are merged into the next pass, up to the batch size of the models the pass runs with
 * ({@link ModelSlot.Models#batchSize()}), so several partitions' small batches share one forward pass instead of
 * running one after the other. Each submitter still gets its
 * own images' results; they carry the pass's id and size.
 *
 * <p>The models come from the {@link ModelSlot}, read once at the start of each pass: a swap takes effect
 * between passes. A canary scores the images of its share in a forward pass of its own, after the primary's over
 * every image. If the model fails on a pass, its images are scored one by one so that only the image the
 * model really fails on is reported as {@link Failed}; whether that is the image's fault is for the stream thread
 * to decide. A submitted batch's result fails when its pass fails outside the model; the thread goes on with the
 * next pass either way.
 *
 * <p><strong>Death.</strong> Only a fatal {@link Throwable} ({@link BackgroundThreads#isFatal}: out of memory, a
 * class that does not link) ends the thread. Its pass, the queued batches and any submitted later fail at once,
 * so no stream thread waits for scores that will never come, and {@link BackgroundThreads} logs it and stops the
 * application.
 *
 * <p>Thread-safe.
 */
public final class InferenceExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceExecutor.class);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);

    /** One submitted batch and where its results go. */
    private record Request(String batchId, List<BatchImage> images, CompletableFuture<ScoredBatch> result) {}

    private final ModelSlot slot;
    private final ScorerMetrics metrics;
    private final Time time;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** Why batches can no longer be scored, once the thread has stopped; null while it runs. */
    private volatile IllegalStateException stopped;

    private volatile ModelIdentity lastPrimary;

    /**
     * @param slot        the models to score with
     * @param metrics     where forward passes and swaps are timed
     * @param time        the clock of batch start times
     * @param background  starts the inference thread, and stops the application if it dies
     */
    public InferenceExecutor(ModelSlot slot, ScorerMetrics metrics, Time time, BackgroundThreads background) {
        this.slot = Objects.requireNonNull(slot, "slot");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.time = Objects.requireNonNull(time, "time");
        this.lastPrimary = slot.primaryModel();
        this.thread = background.start("imgstream-inference", this::loop);
    }

    /**
     * Most images per forward pass of the models installed now: batches should close at this size. It follows
     * model swaps; a single batch larger than it (closed before a swap to a smaller size) still runs whole.
     */
    public int batchSize() {
        return slot.batchSize();
    }

    /**
     * Queues a batch for scoring.
     *
     * @param batchId identifies the batch; the pass it runs in is named after the first batch in it
     * @param images  decoded images, at least one
     * @return completes with every image's outcome, in submission order; completes exceptionally if the executor
     *         was closed, its thread died, or the pass failed as a whole
     */
    public CompletableFuture<ScoredBatch> submit(String batchId, List<BatchImage> images) {
        Request request = new Request(batchId, List.copyOf(images), new CompletableFuture<>());
        IllegalStateException why = stopped;
        if (why != null) {
            request.result().completeExceptionally(why);
            return request.result();
        }
        queue.add(request);
        // The thread may have stopped and emptied the queue between the check and the add.
        why = stopped;
        if (why != null && queue.remove(request)) {
            request.result().completeExceptionally(why);
        }
        return request.result();
    }

    private void loop() {
        try {
            while (running) {
                Request first;
                try {
                    first = queue.poll(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (first != null) {
                    runPass(first);
                }
            }
        } catch (Throwable escaped) {
            stop(new IllegalStateException("the inference thread died of " + escaped, escaped));
            throw escaped;
        }
        stop(new IllegalStateException("the inference executor is closed"));
    }

    /**
     * Scores one pass, starting with {@code first}, with the models installed now and at their batch size; a
     * failure that concerns only this pass fails its batches, and the thread goes on.
     */
    private void runPass(Request first) {
        List<Request> pass = List.of(first);
        try {
            ModelSlot.Models models = slot.acquireForBatch();
            pass = nextPass(first, models.batchSize());
            complete(pass, run(models, pass));
        } catch (Throwable e) {
            // The submitters' stream threads decide what it means for the images; their tasks fail and score the
            // batches again (FailureClassifier has no cause to blame the images for a pass that failed outside the
            // model).
            pass.forEach(request -> request.result().completeExceptionally(e));
            if (BackgroundThreads.isFatal(e)) {
                throw e;
            }
            LOG.warn(
                    "Forward pass {} of {} batch(es) failed outside the model; they fail and are scored again",
                    pass.get(0).batchId(),
                    pass.size(),
                    e);
        }
    }

    /** Fails the queued batches and every later one with {@code why}. */
    private void stop(IllegalStateException why) {
        stopped = why;
        for (Request left = queue.poll(); left != null; left = queue.poll()) {
            left.result().completeExceptionally(why);
        }
    }

    /** Takes the batches queued behind {@code first} while the pass stays within {@code maxPassSize} images. */
    private List<Request> nextPass(Request first, int maxPassSize) {
        List<Request> pass = new ArrayList<>();
        pass.add(first);
        int images = first.images().size();
        for (Request next = queue.peek();
                next != null && images + next.images().size() <= maxPassSize;
                next = queue.peek()) {
            pass.add(queue.poll());
            images += next.images().size();
        }
        return pass;
    }

    /**
     * Scores a pass: the primary every image (so that a canary's images have its outcome to compare with and fall
     * back on), the shadow every image, the canary its share, one forward pass each. Returns every image with its
     * outcomes in pass order, and the pass's facts.
     */
    private ScoredBatch run(ModelSlot.Models models, List<Request> pass) {
        List<BatchImage> images =
                pass.stream().flatMap(request -> request.images().stream()).toList();
        List<BufferedImage> pixels = images.stream().map(BatchImage::pixels).toList();
        String passId = pass.size() == 1 ? pass.get(0).batchId() : pass.get(0).batchId() + "+" + (pass.size() - 1);
        noteSwap(models);
        long startedAtMs = time.milliseconds();
        long started = time.nanoseconds();
        List<Score> scores = score(models.primaryScorer(), pixels, true);
        long inferenceNanos = time.nanoseconds() - started;
        metrics.batchScored(images.size(), inferenceNanos);
        ImageScorer shadow = models.shadowScorer();
        List<Score> shadowScores = shadow == null ? null : score(shadow, pixels, false);
        List<Score> canaryScores = canaryScores(models.canary(), images);
        // The models answer in list order; this is the one place their answers are matched to images by index.
        List<ScoredImage> scored = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            scored.add(images.get(i)
                    .scored(scores.get(i), shadowScores == null ? null : shadowScores.get(i), canaryScores.get(i)));
        }
        return new ScoredBatch(
                passId,
                images.size(),
                models.primaryScorer().model(),
                shadow == null ? null : shadow.model(),
                models.canary() == null ? null : models.canary().model(),
                models.primaryScorer().featureLayout().orElse(null),
                startedAtMs,
                inferenceNanos,
                scored);
    }

    /**
     * The canary's outcome for each image of the pass in its share, null for the others: one forward pass over the
     * share, without features (the primary's, which scores every image, are the ones written).
     */
    private static List<Score> canaryScores(ModelSlot.Canary canary, List<BatchImage> images) {
        List<Score> scores = new ArrayList<>(Collections.nCopies(images.size(), (Score) null));
        if (canary == null) {
            return scores;
        }
        List<Integer> share = IntStream.range(0, images.size())
                .filter(i -> canary.scores(images.get(i).pending().ref().getId()))
                .boxed()
                .toList();
        if (share.isEmpty()) {
            return scores;
        }
        List<Score> shareScores = score(
                canary.scorer().scorer(),
                share.stream().map(i -> images.get(i).pixels()).toList(),
                false);
        for (int j = 0; j < share.size(); j++) {
            scores.set(share.get(j), shareScores.get(j));
        }
        return scores;
    }

    /** Hands each request its own images of the pass. */
    private static void complete(List<Request> pass, ScoredBatch scored) {
        int from = 0;
        for (Request request : pass) {
            int to = from + request.images().size();
            request.result().complete(scored.withImages(scored.images().subList(from, to)));
            from = to;
        }
    }

    private void noteSwap(ModelSlot.Models models) {
        ModelIdentity primary = models.primaryScorer().model();
        if (primary.equals(lastPrimary)) {
            return;
        }
        LOG.info(
                "Scoring with {} v{} from this batch on (was v{})",
                primary.name(),
                primary.version(),
                lastPrimary.version());
        lastPrimary = primary;
        Instant announced = models.announcedAt();
        if (announced != null) {
            metrics.swapAdopted(Duration.ofMillis(Math.max(0, time.milliseconds() - announced.toEpochMilli())));
        }
    }

    /**
     * Scores a batch, with features when asked and the model has them; on failure, image by image. Any
     * {@link Throwable} but a fatal one is the model failing on an image, an {@link AssertionError} inside it
     * included.
     */
    private static List<Score> score(ImageScorer scorer, List<BufferedImage> images, boolean withFeatures) {
        try {
            return scored(scorer, run(scorer, images, withFeatures), images.size());
        } catch (RuntimeException | Error batchFailure) {
            if (BackgroundThreads.isFatal(batchFailure)) {
                throw batchFailure;
            }
            if (images.size() == 1) {
                return List.of(new Failed(batchFailure));
            }
            LOG.warn(
                    "Model {} v{} failed on a batch of {} images ({}); scoring them one by one",
                    scorer.model().name(),
                    scorer.model().version(),
                    images.size(),
                    batchFailure.toString());
            List<Score> scores = new ArrayList<>(images.size());
            for (BufferedImage image : images) {
                try {
                    scores.addAll(scored(scorer, run(scorer, List.of(image), withFeatures), 1));
                } catch (RuntimeException | Error e) {
                    if (BackgroundThreads.isFatal(e)) {
                        throw e;
                    }
                    scores.add(new Failed(e));
                }
            }
            return scores;
        }
    }

    private static ImageScorer.Scores run(ImageScorer scorer, List<BufferedImage> images, boolean withFeatures) {
        return withFeatures
                ? scorer.scoreWithFeatures(images)
                : new ImageScorer.Scores(scorer.score(images), List.of());
    }

    private static List<Score> scored(ImageScorer scorer, ImageScorer.Scores result, int images) {
        List<float[]> probabilities = result.probabilities();
        List<float[]> features = result.features();
        if (probabilities.size() != images || !(features.isEmpty() || features.size() == images)) {
            throw new IllegalStateException("model " + scorer.model().name() + " v"
                    + scorer.model().version()
                    + " returned " + probabilities.size() + " results and " + features.size() + " feature vectors for "
                    + images + " images");
        }
        List<Score> scores = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            scores.add(new Scored(probabilities.get(i), features.isEmpty() ? null : features.get(i)));
        }
        return scores;
    }

    /** Finishes the pass running now (queued batches fail: their images stay pending) and stops the thread. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(SHUTDOWN_GRACE.toMillis());
            if (thread.isAlive()) {
                LOG.warn("The inference thread did not stop within {}", SHUTDOWN_GRACE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
