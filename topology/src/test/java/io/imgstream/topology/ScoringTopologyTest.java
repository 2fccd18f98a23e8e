package io.imgstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.sun.net.httpserver.HttpServer;
import io.imgstream.images.FetchSettings;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.inference.BundleScorer;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.runtime.lifecycle.BackgroundThreads;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.batching.BatchingProcessor;
import io.imgstream.topology.batching.BatchingSettings;
import io.imgstream.topology.drift.DriftMonitor;
import io.imgstream.topology.fetch.FetchPool;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.InferenceExecutor;
import io.imgstream.topology.scoring.PendingImage;
import io.imgstream.topology.swap.ModelSlot;
import io.imgstream.topology.swap.PreparedScorer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production topology ({@link ScoringTopology#build}, not a copy) in a {@link TopologyTestDriver}, scoring
 * with a small real network. Avro single-object encoding stands in for the registry's wire format.
 */
class ScoringTopologyTest {

    private static final Duration LINGER = Duration.ofMillis(100);
    private static final Preprocessing INPUT = new Preprocessing(8, 8, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);
    private static final List<String> CLASSES = List.of("red", "blue");

    private static final Deserializer<ImageRef> IMAGE_REFS = (topic, data) -> {
        try {
            return ImageRef.fromByteBuffer(ByteBuffer.wrap(data));
        } catch (IOException | AvroRuntimeException e) {
            throw new SerializationException("not an ImageRef", e);
        }
    };
    private static final Serializer<SpecificRecord> RECORDS = (topic, record) -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new BinaryMessageEncoder<SpecificRecord>(SpecificData.get(), record.getSchema()).encode(record, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    };

    @TempDir
    Path stateDir;

    private ModelSlot slot;
    private ScorerMetrics metrics;
    private FetchPool fetchPool;
    private InferenceExecutor inference;
    private TopologyTestDriver driver;
    private TopicCatalog topics;

    private HttpServer imageServer;

    /** Starts the topology with the test's settings plus {@code extra}. */
    private void start(Map<String, Object> extra) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                ScorerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092",
                ScorerConfig.REGISTRY_URL_CONFIG, "http://127.0.0.1:8081",
                ScorerConfig.MODEL_BUNDLE_CONFIG, "unused: the test hands the topology its model",
                ScorerConfig.BATCH_LINGER_MS_CONFIG, LINGER.toMillis(),
                ScorerConfig.STATE_DIR_CONFIG, stateDir.toString()));
        settings.putAll(extra);
        ScorerConfig config = new ScorerConfig(settings);
        BatchingSettings batching = config.batching();
        ModelBundle bundle = ModelBundle.of(
                BundleManifest.create("colours", 1, CLASSES, "small-cnn-8x8", INPUT, Instant.now(), Map.of(), null),
                SmallCnn.build(3, 8, 8, CLASSES.size(), 7));
        slot = new ModelSlot(new PreparedScorer(new BundleScorer(bundle), 8));
        metrics = new ScorerMetrics(new MetricRegistry(), slot::primaryModel, slot::shadowModel);
        fetchPool = new FetchPool(
                config.fetch().loader(), 2, config.fetchMaxInFlightBytes(), config.fetchRetries(), Optional::empty);
        inference = new InferenceExecutor(
                slot, metrics, Time.SYSTEM, new BackgroundThreads(metrics::backgroundThreadFailed));
        topics = config.topics();
        driver = new TopologyTestDriver(
                ScoringTopology.build(
                        config,
                        IMAGE_REFS,
                        RECORDS,
                        batching,
                        fetchPool,
                        inference,
                        new DriftMonitor(config.drift(), slot::holdoutProfile),
                        metrics),
                config.streamsProperties());
    }

    @AfterEach
    void tearDown() {
        driver.close();
        inference.close();
        fetchPool.close();
        slot.close();
        if (imageServer != null) {
            imageServer.stop(0);
        }
    }

    @Test
    void shouldScoreImagesAndDeadLetterBadInputWhenLingerExpires() {
        start(Map.of());
        TestInputTopic<String, byte[]> images = driver.createInputTopic(
                topics.name(TopicRole.IMAGES), new StringSerializer(), new ByteArraySerializer());
        TestOutputTopic<String, Prediction> predictions = output(TopicRole.PREDICTIONS, Prediction::fromByteBuffer);
        TestOutputTopic<String, DeadLetter> deadLetters = output(TopicRole.IMAGES_DLQ, DeadLetter::fromByteBuffer);
        byte[] garbage = {0x42, 0x13, 0x37};

        images.pipeInput("red", imageRef("red", png(0xff0000)));
        images.pipeInput("text", imageRef("text", "this is not an image".getBytes(StandardCharsets.UTF_8)));
        images.pipeInput("garbage", garbage);
        images.pipeInput("blue", imageRef("blue", png(0x0000ff)));
        assertThat(predictions.isEmpty())
                .as("a batch of 8 is not full, and batch.linger.ms has not passed")
                .isTrue();

        driver.advanceWallClockTime(LINGER);
        // The forward pass runs on the inference thread; the stream thread forwards its result on a later punctuation.
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
            driver.advanceWallClockTime(Duration.ofMillis(10));
            return !predictions.isEmpty();
        });

        List<Prediction> scored = predictions.readValuesToList();
        assertThat(scored).extracting(p -> p.getImageId().toString()).containsExactly("red", "blue");
        assertThat(scored).allSatisfy(prediction -> {
            assertThat(prediction.getModelName().toString()).isEqualTo("colours");
            assertThat(prediction.getModelVersion()).isEqualTo(1);
            assertThat(prediction.getBatchId().toString()).isEqualTo(topics.name(TopicRole.IMAGES) + "-0@0-3");
            assertThat(prediction.getBatchSize()).isEqualTo(2);
            assertThat(prediction.getTopK()).hasSize(2);
        });
        List<DeadLetter> refused = deadLetters.readValuesToList();
        assertThat(refused)
                .extracting(letter -> letter.getImageId().toString())
                .containsExactlyInAnyOrder("garbage", "text");
        Map<String, DeadLetter> letters = refused.stream()
                .collect(Collectors.toMap(letter -> letter.getImageId().toString(), letter -> letter));
        assertThat(letters.get("garbage")).satisfies(letter -> {
            assertThat(letter.getStage()).isEqualTo(DeadLetterStage.DESERIALIZE);
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_RECORD);
            assertThat(letter.getSourceOffset()).isEqualTo(2L);
            assertThat(letter.getOriginalValue().array()).isEqualTo(garbage);
        });
        assertThat(letters.get("text")).satisfies(letter -> {
            assertThat(letter.getStage()).isEqualTo(DeadLetterStage.DECODE);
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.UNSUPPORTED_FORMAT);
            assertThat(letter.getSourceOffset()).isEqualTo(1L);
        });
        assertThat(pendingImages())
                .as("every image has its prediction or dead letter")
                .isZero();
        assertThat(metrics.registry()
                        .meter(ScorerMetrics.BATCHES_CLOSED + ".LINGER")
                        .getCount())
                .isEqualTo(1);
        assertThat(metrics.registry().meter(ScorerMetrics.DEAD_LETTERS).getCount())
                .isEqualTo(2);
    }

    @Test
    void shouldRetryAnImageServerThatFailsThenDeadLetterOneThatKeepsFailing() throws IOException {
        byte[] red = png(0xff0000);
        AtomicInteger flakyRequests = new AtomicInteger();
        AtomicInteger downRequests = new AtomicInteger();
        imageServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        imageServer.createContext("/flaky.png", exchange -> {
            // Down for its first two requests, like a server restarting.
            if (flakyRequests.incrementAndGet() <= 2) {
                exchange.sendResponseHeaders(503, -1);
            } else {
                exchange.sendResponseHeaders(200, red.length);
                exchange.getResponseBody().write(red);
            }
            exchange.close();
        });
        imageServer.createContext("/down.png", exchange -> {
            downRequests.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        imageServer.start();
        int port = imageServer.getAddress().getPort();
        start(Map.of(
                FetchSettings.ALLOWED_SCHEMES_CONFIG,
                "http",
                FetchSettings.ALLOWED_HOSTS_CONFIG,
                "127.0.0.1",
                FetchSettings.ALLOWED_PORTS_CONFIG,
                String.valueOf(port),
                FetchSettings.ALLOWED_NETWORKS_CONFIG,
                "127.0.0.0/8",
                ScorerConfig.FETCH_RETRY_ATTEMPTS_CONFIG,
                3,
                ScorerConfig.FETCH_RETRY_BACKOFF_MS_CONFIG,
                10L));
        TestInputTopic<String, byte[]> images = driver.createInputTopic(
                topics.name(TopicRole.IMAGES), new StringSerializer(), new ByteArraySerializer());
        TestOutputTopic<String, Prediction> predictions = output(TopicRole.PREDICTIONS, Prediction::fromByteBuffer);
        TestOutputTopic<String, DeadLetter> deadLetters = output(TopicRole.IMAGES_DLQ, DeadLetter::fromByteBuffer);

        images.pipeInput("flaky", httpRef("flaky", "http://127.0.0.1:" + port + "/flaky.png"));
        images.pipeInput("down", httpRef("down", "http://127.0.0.1:" + port + "/down.png"));
        driver.advanceWallClockTime(LINGER);
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
            driver.advanceWallClockTime(Duration.ofMillis(10));
            return pendingImages() == 0;
        });

        assertThat(predictions.readValuesToList())
                .extracting(p -> p.getImageId().toString())
                .containsExactly("flaky");
        assertThat(flakyRequests).as("two failures, then the image").hasValue(3);
        assertThat(deadLetters.readValuesToList()).singleElement().satisfies(letter -> {
            assertThat(letter.getImageId().toString()).isEqualTo("down");
            assertThat(letter.getStage()).isEqualTo(DeadLetterStage.FETCH);
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.RETRIES_EXHAUSTED);
            assertThat(letter.getMessage().toString())
                    .contains("failed 3 times")
                    .contains("answered HTTP 503");
        });
        assertThat(downRequests).as("fetch.retry.attempts, no more").hasValue(3);
    }

    private <V> TestOutputTopic<String, V> output(TopicRole role, Decoder<V> decoder) {
        Deserializer<V> values = (topic, data) -> {
            try {
                return decoder.decode(ByteBuffer.wrap(data));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return driver.createOutputTopic(topics.name(role), new StringDeserializer(), values);
    }

    /** The generated {@code fromByteBuffer} of an Avro record class. */
    @FunctionalInterface
    private interface Decoder<V> {
        V decode(ByteBuffer bytes) throws IOException;
    }

    private long pendingImages() {
        KeyValueStore<Long, PendingImage> store = driver.getKeyValueStore(BatchingProcessor.STORE_NAME);
        long count = 0;
        try (KeyValueIterator<Long, PendingImage> all = store.all()) {
            for (; all.hasNext(); all.next()) {
                count++;
            }
        }
        return count;
    }

    private static byte[] imageRef(String id, byte[] inlineBytes) {
        ImageRef ref = ImageRef.newBuilder()
                .setId(id)
                .setUri("inline:")
                .setInlineBytes(ByteBuffer.wrap(inlineBytes))
                .setEventTime(Instant.ofEpochMilli(1_000))
                .build();
        return RECORDS.serialize("images", ref);
    }

    private static byte[] httpRef(String id, String uri) {
        ImageRef ref = ImageRef.newBuilder()
                .setId(id)
                .setUri(uri)
                .setEventTime(Instant.ofEpochMilli(1_000))
                .build();
        return RECORDS.serialize("images", ref);
    }

    private static byte[] png(int rgb) {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                image.setRGB(x, y, rgb);
            }
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
