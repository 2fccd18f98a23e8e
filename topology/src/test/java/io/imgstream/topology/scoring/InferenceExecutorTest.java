package io.imgstream.topology.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.MetricRegistry;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.runtime.lifecycle.BackgroundThreads;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.swap.CanaryShare;
import io.imgstream.topology.swap.ModelSlot;
import io.imgstream.topology.swap.PreparedScorer;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class InferenceExecutorTest {

    private static final long WAIT_SECONDS = 10;

    private final Logger backgroundLog = (Logger) LoggerFactory.getLogger(BackgroundThreads.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    /**
     * Scores an image with its width; throws {@code failure} for any pass holding an image {@code failingWidth}
     * wide, as a model does on the one input it can't handle.
     */
    private static class FailingScorer implements ImageScorer {
        private final int failingWidth;
        private final Throwable failure;
        private final int version;
        private final AtomicReference<Error> failOnClose = new AtomicReference<>();

        FailingScorer(int failingWidth, Throwable failure, int version) {
            this.failingWidth = failingWidth;
            this.failure = failure;
            this.version = version;
        }

        @Override
        public ModelIdentity model() {
            return new ModelIdentity("failing", version, List.of("only"));
        }

        @Override
        public List<float[]> score(List<BufferedImage> images) {
            List<float[]> scores = new ArrayList<>();
            for (BufferedImage image : images) {
                if (image.getWidth() == failingWidth) {
                    throwUnchecked(failure);
                }
                scores.add(new float[] {image.getWidth()});
            }
            return scores;
        }

        @Override
        public void close() {
            Error error = failOnClose.get();
            if (error != null) {
                throw error;
            }
        }

        private static void throwUnchecked(Throwable failure) {
            if (failure instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) failure;
        }
    }

    @BeforeEach
    void captureBackgroundLog() {
        logged.start();
        backgroundLog.addAppender(logged);
    }

    @AfterEach
    void releaseBackgroundLog() {
        backgroundLog.detachAppender(logged);
    }

    /** Holds its first forward pass until released, so batches queue up behind it; records every pass's size. */
    private static final class GatedScorer implements ImageScorer {
        private final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);
        private final List<Integer> passes = new CopyOnWriteArrayList<>();

        @Override
        public ModelIdentity model() {
            return new ModelIdentity("gated", 1, List.of("only"));
        }

        @Override
        public List<float[]> score(List<BufferedImage> images) {
            passes.add(images.size());
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<float[]> scores = new ArrayList<>();
            images.forEach(image -> scores.add(new float[] {image.getWidth()}));
            return scores;
        }

        @Override
        public void close() {}
    }

    private static List<BatchImage> images(int... widths) {
        List<BatchImage> images = new ArrayList<>();
        for (int width : widths) {
            ImageRef ref = ImageRef.newBuilder()
                    .setId("w" + width)
                    .setUri("inline:")
                    .setEventTime(Instant.EPOCH)
                    .build();
            PendingImage pending = new PendingImage(ref, new byte[0], "images", 0, width, 0L, 0L);
            images.add(new BatchImage(pending, new BufferedImage(width, 1, BufferedImage.TYPE_INT_RGB), 0));
        }
        return images;
    }

    @Test
    void shouldMergeBatchesQueuedBehindARunningPassUpToThePassSize() throws Exception {
        GatedScorer scorer = new GatedScorer();
        ModelSlot slot = new ModelSlot(new PreparedScorer(scorer, 4));
        ScorerMetrics metrics = new ScorerMetrics(new MetricRegistry(), slot::primaryModel, slot::shadowModel);
        try (InferenceExecutor executor = new InferenceExecutor(
                slot, metrics, Time.SYSTEM, new BackgroundThreads(metrics::backgroundThreadFailed))) {
            CompletableFuture<ScoredBatch> first = executor.submit("p0@0-0", images(1));
            assertThat(scorer.started.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<ScoredBatch> second = executor.submit("p1@0-0", images(2));
            CompletableFuture<ScoredBatch> third = executor.submit("p2@0-1", images(3, 4));
            CompletableFuture<ScoredBatch> fourth = executor.submit("p1@1-2", images(5, 6));
            scorer.release.countDown();

            ScoredBatch merged = third.get(10, TimeUnit.SECONDS);
            ScoredBatch last = fourth.get(10, TimeUnit.SECONDS);
            assertThat(scorer.passes)
                    .as("1, then 1+2 merged, then 2 (4 would exceed the pass size)")
                    .containsExactly(1, 3, 2);
            assertThat(first.get().passSize()).isEqualTo(1);
            assertThat(second.get().batchId()).isEqualTo("p1@0-0+1");
            assertThat(second.get().passSize()).isEqualTo(3);
            assertThat(second.get().images())
                    .singleElement()
                    .satisfies(s -> assertThat(((ScoredImage.Scored) s.score()).probabilities())
                            .containsExactly(2f));
            assertThat(merged.images())
                    .extracting(s -> ((ScoredImage.Scored) s.score()).probabilities()[0])
                    .containsExactly(3f, 4f);
            assertThat(merged.images())
                    .extracting(s -> s.pending().ref().getId())
                    .containsExactly("w3", "w4");
            assertThat(last.images()).hasSize(2);
            assertThat(last.passSize()).isEqualTo(2);
            assertThat(metrics.registry().histogram(ScorerMetrics.BATCH_SIZE).getCount())
                    .isEqualTo(3);
        }
    }

    @Test
    void shouldScoreTheCanarysShareWithTheCanaryInOnePassAndEveryImageWithThePrimary() throws Exception {
        int[] widths = IntStream.rangeClosed(1, 24).toArray();
        List<Integer> share = IntStream.of(widths)
                .filter(width -> CanaryShare.contains("w" + width, 50))
                .boxed()
                .toList();
        assertThat(share).as("the test needs images in both arms").isNotEmpty().hasSizeLessThan(widths.length);
        int failing = share.get(0);
        FailingScorer primary = new FailingScorer(-1, new IllegalStateException("never"), 1);
        List<List<Integer>> canaryPasses = new CopyOnWriteArrayList<>();
        FailingScorer canary = new FailingScorer(failing, new IllegalStateException("canary broke"), 2) {
            @Override
            public List<float[]> score(List<BufferedImage> images) {
                canaryPasses.add(images.stream().map(BufferedImage::getWidth).toList());
                return super.score(images);
            }
        };
        ModelSlot slot = new ModelSlot(new PreparedScorer(primary, 32));
        slot.canary(new ModelSlot.Canary(new PreparedScorer(canary, 32), 50));
        ScorerMetrics metrics = new ScorerMetrics(new MetricRegistry(), slot::primaryModel, slot::shadowModel);
        BackgroundThreads background = new BackgroundThreads(metrics::backgroundThreadFailed);
        try (InferenceExecutor executor = new InferenceExecutor(slot, metrics, Time.SYSTEM, background)) {
            ScoredBatch batch = executor.submit("p0@1-24", images(widths)).get(WAIT_SECONDS, TimeUnit.SECONDS);

            assertThat(canaryPasses.get(0)).as("one pass over the share").containsExactlyElementsOf(share);
            assertThat(batch.canaryModel().version()).isEqualTo(2);
            for (ScoredImage image : batch.images()) {
                int width = (int) image.pending().offset();
                assertThat(image.score()).as("the primary scores every image").isInstanceOf(ScoredImage.Scored.class);
                if (width == failing) {
                    assertThat(image.canaryScore()).isInstanceOf(ScoredImage.Failed.class);
                    assertThat(image.outcome())
                            .as("falls back on the primary's")
                            .isSameAs(image.score());
                } else if (share.contains(width)) {
                    assertThat(((ScoredImage.Scored) image.canaryScore()).probabilities())
                            .containsExactly(width);
                    assertThat(image.outcome()).isSameAs(image.canaryScore());
                } else {
                    assertThat(image.canaryScore())
                            .as("w%d is not in the share", width)
                            .isNull();
                }
            }
        }
    }

    @Test
    void shouldReportTheImageAModelErrorConcernsAndGoOnScoring() throws Exception {
        FailingScorer scorer = new FailingScorer(13, new AssertionError("layer 3: shape check failed"), 1);
        ModelSlot slot = new ModelSlot(new PreparedScorer(scorer, 4));
        ScorerMetrics metrics = new ScorerMetrics(new MetricRegistry(), slot::primaryModel, slot::shadowModel);
        BackgroundThreads background = new BackgroundThreads(metrics::backgroundThreadFailed);
        try (InferenceExecutor executor = new InferenceExecutor(slot, metrics, Time.SYSTEM, background)) {
            ScoredBatch failing = executor.submit("p0@0-1", images(1, 13)).get(WAIT_SECONDS, TimeUnit.SECONDS);
            ScoredBatch later = executor.submit("p0@2-2", images(2)).get(WAIT_SECONDS, TimeUnit.SECONDS);

            assertThat(failing.images())
                    .extracting(ScoredImage::score)
                    .satisfiesExactly(
                            first -> assertThat(first).isInstanceOf(ScoredImage.Scored.class),
                            second -> assertThat(((ScoredImage.Failed) second).cause())
                                    .isInstanceOf(AssertionError.class)
                                    .hasMessage("layer 3: shape check failed"));
            assertThat(later.images())
                    .singleElement()
                    .satisfies(s -> assertThat(((ScoredImage.Scored) s.score()).probabilities())
                            .containsExactly(2f));
            assertThat(background.failure()).isEmpty();
            assertThat(metrics.registry()
                            .meter(ScorerMetrics.BACKGROUND_THREAD_FAILURES)
                            .getCount())
                    .isZero();
        }
    }

    @Test
    void shouldMergeQueuedBatchesUpToTheBatchSizeOfTheModelSwappedIn() throws Exception {
        GatedScorer v1 = new GatedScorer();
        GatedScorer v2 = new GatedScorer();
        v2.release.countDown();
        ModelSlot slot = new ModelSlot(new PreparedScorer(v1, 4));
        ScorerMetrics metrics = new ScorerMetrics(new MetricRegistry(), slot::primaryModel, slot::shadowModel);
        try (InferenceExecutor executor = new InferenceExecutor(
                slot, metrics, Time.SYSTEM, new BackgroundThreads(metrics::backgroundThreadFailed))) {
            executor.submit("p0@0-0", images(1));
            assertThat(v1.started.await(10, TimeUnit.SECONDS)).isTrue();
            slot.promote(new PreparedScorer(v2, 2), Instant.now());
            List<CompletableFuture<ScoredBatch>> queued = new ArrayList<>();
            for (int width = 2; width <= 5; width++) {
                queued.add(executor.submit("p" + width + "@0-0", images(width)));
            }
            v1.release.countDown();
            for (CompletableFuture<ScoredBatch> batch : queued) {
                batch.get(10, TimeUnit.SECONDS);
            }

            assertThat(executor.batchSize()).isEqualTo(2);
            assertThat(v2.passes)
                    .as("four single-image batches, merged two by two, not four into one")
                    .containsExactly(2, 2);
        }
    }

    @Test
    void shouldFailOnlyThePassThatFailsOutsideTheModelAndGoOn() throws Exception {
        FailingScorer v1 = new FailingScorer(-1, null, 1);
        ModelSlot slot = new ModelSlot(new PreparedScorer(v1, 4));
        ScorerMetrics metrics = new ScorerMetrics(new MetricRegistry(), slot::primaryModel, slot::shadowModel);
        BackgroundThreads background = new BackgroundThreads(metrics::backgroundThreadFailed);
        try (InferenceExecutor executor = new InferenceExecutor(slot, metrics, Time.SYSTEM, background)) {
            // The replaced model is closed by the inference thread at the start of the next pass.
            v1.failOnClose.set(new AssertionError("native handle already freed"));
            slot.promote(new PreparedScorer(new FailingScorer(-1, null, 2), 4), Instant.now());

            CompletableFuture<ScoredBatch> failed = executor.submit("p0@0-0", images(1));
            assertThatThrownBy(() -> failed.get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(AssertionError.class);
            ScoredBatch later = executor.submit("p0@0-0", images(1)).get(WAIT_SECONDS, TimeUnit.SECONDS);

            assertThat(later.model().version()).isEqualTo(2);
            assertThat(background.failure()).isEmpty();
        }
    }

    @Test
    void shouldFailEveryBatchAndStopTheApplicationWhenTheThreadDies() throws Exception {
        FailingScorer scorer = new FailingScorer(13, new OutOfMemoryError("Java heap space"), 1);
        ModelSlot slot = new ModelSlot(new PreparedScorer(scorer, 4));
        ScorerMetrics metrics = new ScorerMetrics(new MetricRegistry(), slot::primaryModel, slot::shadowModel);
        BackgroundThreads background = new BackgroundThreads(metrics::backgroundThreadFailed);
        AtomicReference<BackgroundThreads.Failure> stopping = new AtomicReference<>();
        background.onFailure(stopping::set);
        try (InferenceExecutor executor = new InferenceExecutor(slot, metrics, Time.SYSTEM, background)) {
            CompletableFuture<ScoredBatch> dying = executor.submit("p0@0-0", images(13));

            assertThatThrownBy(() -> dying.get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(OutOfMemoryError.class);
            await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> stopping.get() != null);
            assertThatThrownBy(() -> executor.submit("p0@1-1", images(2)).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .as("a batch submitted after the thread died fails instead of waiting forever")
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the inference thread died of java.lang.OutOfMemoryError");
            assertThat(background.failure()).hasValue(stopping.get());
            assertThat(stopping.get().reason())
                    .isEqualTo("background thread 'imgstream-inference' died of java.lang.OutOfMemoryError: "
                            + "Java heap space");
            assertThat(metrics.registry()
                            .meter(ScorerMetrics.BACKGROUND_THREAD_FAILURES)
                            .getCount())
                    .isEqualTo(1);
            assertThat(logged.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.ERROR);
                assertThat(event.getThrowableProxy().getClassName()).isEqualTo(OutOfMemoryError.class.getName());
            });
        }
    }
}
