package io.imgstream.topology.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.sun.net.httpserver.HttpServer;
import io.imgstream.images.ImageLoader;
import io.imgstream.images.decode.ImageDecoder;
import io.imgstream.images.decode.ImageLimits;
import io.imgstream.images.fetch.HttpImageFetcher;
import io.imgstream.images.fetch.ImageFetcher;
import io.imgstream.images.fetch.NetworkRange;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.runtime.lifecycle.BackgroundThreads;
import io.imgstream.schemas.RecordRetries;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelRequest;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.drift.DriftMonitor;
import io.imgstream.topology.drift.DriftSettings;
import io.imgstream.topology.emit.BatchEmitter;
import io.imgstream.topology.fetch.FetchPool;
import io.imgstream.topology.fetch.ImageTask;
import io.imgstream.topology.fetch.SourceRetries;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.InferenceExecutor;
import io.imgstream.topology.scoring.LabelingPolicy;
import io.imgstream.topology.scoring.PendingImage;
import io.imgstream.topology.scoring.PredictionBuilder;
import io.imgstream.topology.swap.ModelSlot;
import io.imgstream.topology.swap.PreparedScorer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchingProcessorTest {

    private static final BatchEmitter.Outputs OUTPUTS =
            new BatchEmitter.Outputs("predictions", "shadow", "label-requests", "features", "dead-letter");
    private static final Duration LINGER = Duration.ofMillis(50);
    /** A forward pass or fetch long enough that a wait for it can't be mistaken for the batcher's own work. */
    private static final Duration SLOW_PASS = Duration.ofMillis(400);

    /**
     * A stand-in for the network: the batcher's contract is about grouping, ordering and transactions, not about
     * what the model computes. It scores an image by its red channel and records each batch's size.
     */
    private static final class RecordingScorer implements ImageScorer {
        private final ModelIdentity model;
        private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        private final boolean withFeatures;
        private final Duration passTime;

        RecordingScorer(int version) {
            this(version, false);
        }

        RecordingScorer(int version, boolean withFeatures) {
            this(version, withFeatures, Duration.ZERO);
        }

        /** @param passTime how long each forward pass takes at least */
        RecordingScorer(int version, boolean withFeatures, Duration passTime) {
            model = new ModelIdentity("colours", version, List.of("red", "blue"));
            this.withFeatures = withFeatures;
            this.passTime = passTime;
        }

        @Override
        public Optional<FeatureLayout> featureLayout() {
            return withFeatures ? Optional.of(new FeatureLayout("rgb-mean", List.of(1, 1, 1))) : Optional.empty();
        }

        @Override
        public Scores scoreWithFeatures(List<BufferedImage> images) {
            List<float[]> probabilities = score(images);
            return new Scores(
                    probabilities,
                    withFeatures
                            ? probabilities.stream()
                                    .map(p -> new float[] {p[0]})
                                    .toList()
                            : List.of());
        }

        @Override
        public ModelIdentity model() {
            return model;
        }

        @Override
        public List<float[]> score(List<BufferedImage> images) {
            batchSizes.add(images.size());
            try {
                Thread.sleep(passTime.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in a forward pass", e);
            }
            List<float[]> scores = new ArrayList<>();
            for (BufferedImage image : images) {
                float red = ((image.getRGB(0, 0) >> 16) & 0xff) / 255f;
                scores.add(new float[] {red, 1 - red});
            }
            return scores;
        }

        @Override
        public void close() {}
    }

    private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    private final KeyValueStore<Long, PendingImage> store = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(BatchingProcessor.STORE_NAME),
                    org.apache.kafka.common.serialization.Serdes.Long(),
                    new PendingImageSerde())
            .withLoggingDisabled()
            .build(); // Changelog is not supported by MockProcessorContext
    private final RecordingScorer v1 = new RecordingScorer(1);
    /** Built by {@link #processor}, with v1 at the test's batch size. */
    private ModelSlot slot;

    private ScorerMetrics metrics;
    private InferenceExecutor inference;
    private final ImageLoader loader = new ImageLoader(
            new ImageFetcher(Set.of("inline", "file"), List.of(), 1 << 20),
            new ImageDecoder(new ImageLimits(1 << 20, 1 << 20, Duration.ofSeconds(10))));
    private final FetchPool fetchPool = new FetchPool(loader, 2, 64L << 20, SourceRetries.none(), Optional::empty);
    private long offset;

    @BeforeEach
    void setUp() {
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        context.setCurrentSystemTimeMs(System.currentTimeMillis());
    }

    @AfterEach
    void tearDown() {
        if (inference != null) {
            inference.close();
        }
        fetchPool.close();
    }

    private BatchingProcessor processor(int batchSize, double minConfidence) {
        return processor(batchSize, minConfidence, fetchPool);
    }

    /** A batcher feeding v1, which fits {@code batchSize} images per forward pass. */
    private BatchingProcessor processor(int batchSize, double minConfidence, FetchPool pool) {
        slot = new ModelSlot(new PreparedScorer(v1, batchSize));
        metrics = new ScorerMetrics(new MetricRegistry(), slot::primaryModel, slot::shadowModel);
        inference = new InferenceExecutor(
                slot, metrics, Time.SYSTEM, new BackgroundThreads(metrics::backgroundThreadFailed));
        BatchingProcessor processor = new BatchingProcessor(
                new BatchingSettings(LINGER, 2, Duration.ofSeconds(10), Duration.ofSeconds(10)),
                pool,
                inference,
                new BatchEmitter(
                        new PredictionBuilder(2),
                        new LabelingPolicy(minConfidence, 0),
                        new DriftMonitor(new DriftSettings(1000, 200, 30, 0.25, 0.1), slot::holdoutProfile),
                        metrics,
                        new RecordRetries(RecordRetries.DEFAULT_MAX_ATTEMPTS, Duration.ZERO),
                        OUTPUTS),
                metrics);
        processor.init(context);
        return processor;
    }

    private static byte[] png(int red) {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 4; x++) {
            for (int y = 0; y < 4; y++) {
                image.setRGB(x, y, red << 16 | (255 - red));
            }
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ImageRef inline(String id, byte[] bytes) {
        return ImageRef.newBuilder()
                .setId(id)
                .setUri("inline:")
                .setInlineBytes(ByteBuffer.wrap(bytes))
                .setEventTime(Instant.ofEpochMilli(1_000))
                .build();
    }

    private void send(BatchingProcessor processor, String id, byte[] bytes) {
        context.setRecordMetadata("images", 0, offset++);
        ImageRef ref = inline(id, bytes);
        processor.process(new Record<>(id, new ImageTask(ref, id.getBytes(StandardCharsets.UTF_8)), 500L));
    }

    private void advance(Duration by) {
        context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + by.toMillis());
    }

    private void punctuate() {
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(context.currentSystemTimeMs());
    }

    /** Punctuates until {@code expected} records went to {@code child}; the forward pass runs on another thread. */
    private List<Object> awaitForwarded(String child, int expected) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            punctuate();
            return forwardedTo(child).size() >= expected;
        });
        return forwardedTo(child);
    }

    private List<Object> forwardedTo(String child) {
        return context.forwarded().stream()
                .filter(f -> f.childName().filter(Predicate.isEqual(child)).isPresent())
                .map(CapturedForward::record)
                .map(Record::value)
                .map(Object.class::cast)
                .toList();
    }

    private long storedImages() {
        return store.approximateNumEntries();
    }

    @Test
    void shouldScoreAFullBatchInOneForwardPassAndEmptyTheStore() {
        BatchingProcessor processor = processor(3, 0);
        send(processor, "a", png(250));
        send(processor, "b", png(10));
        assertThat(storedImages()).isEqualTo(2);
        send(processor, "c", png(200));

        List<Object> predictions = awaitForwarded("predictions", 3);

        assertThat(v1.batchSizes).containsExactly(3);
        assertThat(predictions)
                .extracting(p -> ((Prediction) p).getImageId().toString())
                .containsExactly("a", "b", "c");
        Prediction first = (Prediction) predictions.get(0);
        assertThat(first.getTopK().get(0).getLabel().toString()).isEqualTo("red");
        assertThat(first.getBatchSize()).isEqualTo(3);
        assertThat(first.getBatchId().toString()).isEqualTo("images-0@0-2");
        assertThat(first.getModelVersion()).isEqualTo(1);
        assertThat(storedImages()).isZero();
        assertThat(metrics.registry()
                        .meter(ScorerMetrics.BATCHES_CLOSED + ".FULL")
                        .getCount())
                .isEqualTo(1);
        await().atMost(Duration.ofSeconds(10))
                .alias("pixels released once the forward pass is over")
                .until(() -> fetchPool.heldBytes() == 0);
    }

    @Test
    void shouldScoreEveryImageOfABatchThoughTheByteBudgetHoldsLessThanOneImage() {
        try (FetchPool oneByte = new FetchPool(loader, 2, 1, SourceRetries.none(), Optional::empty)) {
            BatchingProcessor processor = processor(3, 0, oneByte);
            send(processor, "a", png(250));
            send(processor, "b", png(10));
            send(processor, "c", png(200));

            List<Object> predictions = awaitForwarded("predictions", 3);

            assertThat(predictions)
                    .extracting(p -> ((Prediction) p).getImageId().toString())
                    .containsExactly("a", "b", "c");
            assertThat(forwardedTo("dead-letter")).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> oneByte.heldBytes() == 0);
        }
    }

    @Test
    void shouldCountTheStreamThreadsWaitForASlowSource() throws IOException {
        byte[] image = png(250);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/slow.png", exchange -> {
            try {
                Thread.sleep(SLOW_PASS.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, image.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(image);
            }
        });
        server.start();
        int port = server.getAddress().getPort();
        ImageLoader http = new ImageLoader(
                new ImageFetcher(
                        Set.of("http"),
                        List.of(),
                        1 << 20,
                        new HttpImageFetcher(
                                List.of("127.0.0.1"),
                                List.of(port),
                                List.of(NetworkRange.parse("127.0.0.0/8")),
                                Duration.ofSeconds(5),
                                1 << 20)),
                new ImageDecoder(new ImageLimits(1 << 20, 1 << 20, Duration.ofSeconds(10))));
        try (FetchPool slowSource = new FetchPool(http, 2, 64L << 20, SourceRetries.none(), Optional::empty)) {
            BatchingProcessor processor = processor(1, 0, slowSource);
            context.setRecordMetadata("images", 0, offset++);
            ImageRef ref = ImageRef.newBuilder()
                    .setId("slow")
                    .setUri("http://127.0.0.1:" + port + "/slow.png")
                    .setEventTime(Instant.ofEpochMilli(1_000))
                    .build();
            // The batch of one closes in process, which waits there for the server's answer.
            processor.process(new Record<>("slow", new ImageTask(ref, new byte[0]), 500L));

            awaitForwarded("predictions", 1);

            assertThat(nanos(ScorerMetrics.STREAM_FETCH_WAIT))
                    .isGreaterThanOrEqualTo(SLOW_PASS.dividedBy(2).toNanos());
            assertThat(nanos(ScorerMetrics.STREAM_INFERENCE_WAIT)).isZero();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldCountTheStreamThreadsWaitForAForwardPassWhenTheBatcherIsFull() {
        BatchingProcessor processor = processor(1, 0);
        slot.promote(new PreparedScorer(new RecordingScorer(2, false, SLOW_PASS), 1), Instant.now());
        // Two batches of one with the forward pass, then a full batch behind each, then one more: process waits.
        for (int i = 0; i < 5; i++) {
            send(processor, "i" + i, png(250));
        }

        awaitForwarded("predictions", 5);

        assertThat(nanos(ScorerMetrics.STREAM_INFERENCE_WAIT))
                .as("the fifth image waited for the first forward pass")
                .isGreaterThanOrEqualTo(SLOW_PASS.dividedBy(2).toNanos());
    }

    private long nanos(String counter) {
        return metrics.registry().counter(counter).getCount();
    }

    @Test
    void shouldFlushWhenLingerExpires() {
        BatchingProcessor processor = processor(8, 0);
        send(processor, "a", png(250));
        send(processor, "b", png(10));

        advance(LINGER.dividedBy(2));
        punctuate();
        assertThat(v1.batchSizes)
                .as("the oldest image has not waited batch.linger.ms yet")
                .isEmpty();

        advance(LINGER);
        List<Object> predictions = awaitForwarded("predictions", 2);

        assertThat(v1.batchSizes).containsExactly(2);
        assertThat(predictions).extracting(p -> ((Prediction) p).getBatchSize()).containsExactly(2, 2);
        assertThat(metrics.registry()
                        .meter(ScorerMetrics.BATCHES_CLOSED + ".LINGER")
                        .getCount())
                .isEqualTo(1);
    }

    @Test
    void shouldScoreAgainImagesLeftInTheStoreByACrash() {
        // What a restored changelog looks like: images whose predictions were never committed.
        for (long position = 0; position < 3; position++) {
            String id = "restored-" + position;
            store.put(
                    position,
                    new PendingImage(
                            inline(id, png(100)),
                            id.getBytes(StandardCharsets.UTF_8),
                            "images",
                            0,
                            position,
                            500L,
                            context.currentSystemTimeMs()));
        }

        processor(3, 0);
        List<Object> predictions = awaitForwarded("predictions", 3);

        assertThat(predictions)
                .extracting(p -> ((Prediction) p).getImageId().toString())
                .containsExactly("restored-0", "restored-1", "restored-2");
        assertThat(storedImages()).isZero();
    }

    @Test
    void shouldDeadLetterAnUndecodableImageAndScoreTheRestOfItsBatch() {
        BatchingProcessor processor = processor(3, 0);
        send(processor, "good-1", png(250));
        send(processor, "text", "this is not an image".getBytes(StandardCharsets.UTF_8));
        send(processor, "good-2", png(10));

        List<Object> predictions = awaitForwarded("predictions", 2);
        List<Object> letters = forwardedTo("dead-letter");

        assertThat(predictions)
                .extracting(p -> ((Prediction) p).getImageId().toString())
                .containsExactly("good-1", "good-2");
        assertThat(letters).singleElement().satisfies(letter -> {
            DeadLetter deadLetter = (DeadLetter) letter;
            assertThat(deadLetter.getImageId().toString()).isEqualTo("text");
            assertThat(deadLetter.getReason()).isEqualTo(DeadLetterReason.UNSUPPORTED_FORMAT);
            assertThat(deadLetter.getSourceOffset()).isEqualTo(1L);
        });
        assertThat(v1.batchSizes).containsExactly(2);
        assertThat(storedImages()).isZero();
    }

    @Test
    void shouldRequestLabelsForUncertainPredictionsOnly() {
        BatchingProcessor processor = processor(2, 0.8);
        send(processor, "sure", png(255));
        send(processor, "unsure", png(140));

        awaitForwarded("predictions", 2);

        assertThat(forwardedTo("label-requests")).singleElement().satisfies(request -> {
            assertThat(((LabelRequest) request).getImageId().toString()).isEqualTo("unsure");
            assertThat(((LabelRequest) request).getReason().toString()).startsWith("confidence 0.55 < 0.80");
        });
    }

    @Test
    void shouldSwapModelsBetweenBatchesAndShadowScoreBesideThePrimary() {
        BatchingProcessor processor = processor(2, 0);
        send(processor, "a", png(250));
        send(processor, "b", png(250));
        awaitForwarded("predictions", 2);

        RecordingScorer v2 = new RecordingScorer(2);
        RecordingScorer v3 = new RecordingScorer(3);
        slot.promote(new PreparedScorer(v2, 2), Instant.now());
        slot.shadow(new PreparedScorer(v3, 2));
        send(processor, "c", png(250));
        send(processor, "d", png(250));
        List<Object> predictions = awaitForwarded("predictions", 4);

        assertThat(predictions)
                .extracting(p -> ((Prediction) p).getModelVersion())
                .containsExactly(1, 1, 2, 2);
        assertThat(forwardedTo("shadow"))
                .extracting(p -> ((Prediction) p).getModelVersion())
                .containsExactly(3, 3);
        assertThat(v1.batchSizes).containsExactly(2);
        assertThat(metrics.registry()
                        .getGauges()
                        .get(ScorerMetrics.SHADOW_MODEL_VERSION)
                        .getValue())
                .isEqualTo(3);
        assertThat(metrics.registry()
                        .timer(ScorerMetrics.MODEL_SWAP_ADOPTION_TIME)
                        .getCount())
                .isEqualTo(1);
        assertThat(Map.of("v2", v2.batchSizes, "v3", v3.batchSizes))
                .containsEntry("v2", List.of(2))
                .containsEntry("v3", List.of(2));
    }

    @Test
    void shouldCloseBatchesAtTheBatchSizeOfTheModelSwappedIn() {
        BatchingProcessor processor = processor(2, 0);
        send(processor, "a", png(250));
        send(processor, "b", png(250));
        awaitForwarded("predictions", 2);

        RecordingScorer v2 = new RecordingScorer(2);
        slot.promote(new PreparedScorer(v2, 3), Instant.now());
        send(processor, "c", png(250));
        send(processor, "d", png(250));
        assertThat(v2.batchSizes).as("two images no longer fill a batch").isEmpty();
        send(processor, "e", png(250));
        awaitForwarded("predictions", 5);

        assertThat(v1.batchSizes).containsExactly(2);
        assertThat(v2.batchSizes).containsExactly(3);
        assertThat(metrics.registry()
                        .meter(ScorerMetrics.BATCHES_CLOSED + ".FULL")
                        .getCount())
                .isEqualTo(2);
    }

    @Test
    void shouldCloseBatchesAtTheSmallerOfThePrimaryAndShadowBatchSizes() {
        BatchingProcessor processor = processor(4, 0);
        RecordingScorer v3 = new RecordingScorer(3);
        slot.shadow(new PreparedScorer(v3, 2));
        for (String id : List.of("a", "b", "c", "d")) {
            send(processor, id, png(250));
        }
        awaitForwarded("predictions", 4);

        assertThat(v1.batchSizes).containsExactly(2, 2);
        assertThat(v3.batchSizes).containsExactly(2, 2);
    }

    @Test
    void shouldWriteBottleneckFeaturesKeyedByImageAndBase() {
        BatchingProcessor processor = processor(2, 0);
        slot.promote(new PreparedScorer(new RecordingScorer(2, true), 2), Instant.now());
        send(processor, "a", png(255));
        send(processor, "b", png(0));

        awaitForwarded("predictions", 2);

        List<CapturedForward<? extends String, ?>> features = context.forwarded().stream()
                .filter(f -> f.childName().filter(Predicate.isEqual("features")).isPresent())
                .toList();
        assertThat(features).extracting(f -> (String) f.record().key()).containsExactly("a/rgb-mean", "b/rgb-mean");
        FeatureVector first = (FeatureVector) features.get(0).record().value();
        assertThat(first.getBaseModelId().toString()).isEqualTo("rgb-mean");
        assertThat(first.getShape()).containsExactly(1, 1, 1);
        assertThat(first.getValues()).containsExactly(1.0f);
    }
}
