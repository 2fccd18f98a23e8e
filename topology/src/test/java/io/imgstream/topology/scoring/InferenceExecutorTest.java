package io.imgstream.topology.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.swap.ModelSlot;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

class InferenceExecutorTest {

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
        ModelSlot slot = new ModelSlot(scorer);
        ScorerMetrics metrics = new ScorerMetrics(new MetricRegistry(), slot::primaryModel, slot::shadowModel);
        try (InferenceExecutor executor = new InferenceExecutor(slot, metrics, Time.SYSTEM, 4)) {
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
}
