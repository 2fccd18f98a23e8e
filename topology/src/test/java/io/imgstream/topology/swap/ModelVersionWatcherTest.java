package io.imgstream.topology.swap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.codahale.metrics.MetricRegistry;
import io.imgstream.control.CanaryRollout;
import io.imgstream.control.ControlTopic;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.runtime.lifecycle.BackgroundThreads;
import io.imgstream.schemas.avro.ModelMetrics;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.topology.ScorerConfig;
import io.imgstream.topology.metrics.ScorerMetrics;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.memory.MemoryUseMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.LoggerFactory;

/**
 * The watcher's thread against failures: it reads through Kafka's {@link MockConsumer} (no broker), loads real
 * bundles with the real {@link BundleLoader}, and the control records' values name what the deserializer returns
 * or throws.
 */
class ModelVersionWatcherTest {

    private static final String TOPIC = "model-versions";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final Preprocessing INPUT = new Preprocessing(16, 16, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);
    private static final List<String> CLASSES = List.of("a", "b", "c");
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** batch.size: what a model gets that fits the memory budget. */
    private static final int BATCH_SIZE = 8;
    /** Side of the larger model's input, whose forward pass needs more memory. */
    private static final int LARGE = 64;

    private static final Preprocessing INPUT_LARGE =
            new Preprocessing(LARGE, LARGE, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);

    private final Logger backgroundLog = (Logger) LoggerFactory.getLogger(BackgroundThreads.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    /** What the deserializer answers for each value; a Throwable is thrown. */
    private final Map<String, Object> values = new ConcurrentHashMap<>();

    private final ModelSlot slot = new ModelSlot(new PreparedScorer(new StubScorer(1), BATCH_SIZE));
    private final ScorerMetrics metrics =
            new ScorerMetrics(new MetricRegistry(), slot::primaryModel, slot::shadowModel);
    private final BackgroundThreads background = new BackgroundThreads(metrics::backgroundThreadFailed);
    private ModelVersionWatcher watcher;
    private long offset;

    @TempDir
    Path store;

    /** The model the slot starts with; never scores here. */
    private record StubScorer(int version) implements ImageScorer {
        @Override
        public ModelIdentity model() {
            return new ModelIdentity("m", version, CLASSES);
        }

        @Override
        public List<float[]> score(List<BufferedImage> images) {
            throw new UnsupportedOperationException("not scored in this test");
        }

        @Override
        public void close() {}
    }

    @BeforeEach
    void followAnEmptyTopic() {
        logged.start();
        backgroundLog.addAppender(logged);
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        consumer.updateEndOffsets(Map.of(PARTITION, 0L));
        Deserializer<ModelVersion> deserializer = (topic, data) -> {
            Object answer = values.get(new String(data, StandardCharsets.UTF_8));
            if (answer instanceof Error error) {
                throw error;
            }
            return (ModelVersion) answer;
        };
        watcher = new ModelVersionWatcher(
                consumer,
                TOPIC,
                deserializer,
                "m",
                new BundleLoader(store, null),
                new ScorerPreparer(BATCH_SIZE, budget(), ScorerConfig.DEFAULT_MODEL_WARMUP_IMAGES),
                metrics);
        watcher.catchUp(Duration.ofSeconds(5));
        watcher.follow(slot, background);
    }

    @AfterEach
    void stop() {
        watcher.close();
        backgroundLog.detachAppender(logged);
    }

    @Test
    void shouldRefuseBadAnnouncementsAndSwapOnTheNextGoodOne() throws Exception {
        ModelVersion v2 = announcement(2);
        ModelVersion withoutBundle = ModelVersion.newBuilder(v2).setVersion(3).build();
        withoutBundle.setBundleUri(null);
        values.put("garbled", new AssertionError("decoder state corrupt"));
        values.put("v3-without-bundle", withoutBundle);
        values.put("v2", v2);

        publish("garbled");
        publish("v3-without-bundle");
        publish("v2");

        await().atMost(WAIT).until(() -> slot.primaryModel().version() == 2);
        assertThat(metrics.registry().meter(ScorerMetrics.MODEL_SWAP_REFUSALS).getCount())
                .as("the garbled record and the announcement without a bundle")
                .isEqualTo(2);
        assertThat(metrics.registry().meter(ScorerMetrics.MODEL_SWAPS).getCount())
                .isEqualTo(1);
        assertThat(background.failure()).isEmpty();
    }

    @Test
    void shouldSizeBatchesForEachModelSwappedIn() throws Exception {
        values.put("v2", announcement(2));
        values.put("v3", announcement(3, INPUT_LARGE, smallCnn(LARGE)));

        publish("v2");
        await().atMost(WAIT).until(() -> slot.primaryModel().version() == 2);
        assertThat(slot.batchSize()).as("batch.size: the small model fits it").isEqualTo(BATCH_SIZE);

        publish("v3");
        await().atMost(WAIT).until(() -> slot.primaryModel().version() == 3);
        assertThat(slot.batchSize())
                .as("what fits the memory budget at %dx%d", LARGE, LARGE)
                .isEqualTo(3);
    }

    @Test
    void shouldRefuseAVersionWhoseWarmUpPassFailsAndKeepTheCurrentModel() throws Exception {
        values.put("v2-single-image-only", announcement(2, INPUT, singleImageOnly()));
        values.put("v3", announcement(3));

        publish("v2-single-image-only");
        await().atMost(WAIT)
                .until(() -> metrics.registry()
                                .meter(ScorerMetrics.MODEL_SWAP_REFUSALS)
                                .getCount()
                        == 1);
        assertThat(slot.primaryModel().version()).isEqualTo(1);
        assertThat(slot.batchSize()).isEqualTo(BATCH_SIZE);

        publish("v3");
        await().atMost(WAIT).until(() -> slot.primaryModel().version() == 3);
        assertThat(metrics.registry().meter(ScorerMetrics.MODEL_SWAPS).getCount())
                .isEqualTo(1);
        assertThat(background.failure()).isEmpty();
    }

    @Test
    void shouldStopTheApplicationWhenTheThreadDies() {
        AtomicReference<BackgroundThreads.Failure> stopping = new AtomicReference<>();
        background.onFailure(stopping::set);
        values.put("huge", new OutOfMemoryError("Java heap space"));

        publish("huge");

        await().atMost(WAIT).until(() -> stopping.get() != null);
        assertThat(stopping.get().reason())
                .isEqualTo("background thread 'imgstream-model-versions' died of java.lang.OutOfMemoryError: "
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

    @Test
    void shouldStopTheApplicationWhenReadingTheTopicIsDenied() {
        consumer.setPollException(new TopicAuthorizationException(Set.of(TOPIC)));

        await().atMost(WAIT).until(() -> background.failure().isPresent());
        assertThat(background.failure().orElseThrow().cause()).isInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void shouldLoadACanaryOnceChangeItsShareWithoutReloadingAndPromoteItWithoutReloading() throws Exception {
        ModelVersion v2 = announcement(2);
        values.put("v2-canary-10", CanaryRollout.start(v2, 10, Instant.now()));
        values.put("v2-canary-30", CanaryRollout.start(v2, 30, Instant.now()));
        values.put(
                "v2-canary-0",
                ModelVersion.newBuilder(CanaryRollout.start(v2, 30, Instant.now()))
                        .setCanaryPercent(0)
                        .build());
        values.put("v2", v2);

        publish(ModelVersionKeys.canary("m"), "v2-canary-10");
        await().atMost(WAIT).until(() -> slot.canaryPercent() == 10);
        assertThat(slot.canaryModel()).map(ModelIdentity::version).contains(2);
        assertThat(slot.primaryModel().version()).isEqualTo(1);
        PreparedScorer loaded = slot.acquireForBatch().canary().scorer();

        publish(ModelVersionKeys.canary("m"), "v2-canary-30");
        await().atMost(WAIT).until(() -> slot.canaryPercent() == 30);
        assertThat(slot.acquireForBatch().canary().scorer())
                .as("the same model, not loaded again")
                .isSameAs(loaded);

        publish(ModelVersionKeys.canary("m"), "v2-canary-0");
        await().atMost(WAIT)
                .until(() -> metrics.registry()
                                .meter(ScorerMetrics.MODEL_SWAP_REFUSALS)
                                .getCount()
                        == 1);
        assertThat(slot.canaryPercent()).as("a share out of range is refused").isEqualTo(30);

        ControlTopic.keysOf(v2).forEach(key -> publish(key, "v2"));
        await().atMost(WAIT)
                .until(() ->
                        slot.primaryModel().version() == 2 && slot.canaryModel().isEmpty());
        assertThat(slot.acquireForBatch().primary())
                .as("the canary's model, not loaded again")
                .isSameAs(loaded);
        assertThat(metrics.registry().meter(ScorerMetrics.MODEL_SWAPS).getCount())
                .as("the canary's installation and its promotion")
                .isEqualTo(2);
        assertThat(background.failure()).isEmpty();
    }

    @Test
    void shouldEndTheCanaryOnAnyOtherStatusUnderItsKey() throws Exception {
        ModelVersion v2 = announcement(2);
        values.put("v2-canary", CanaryRollout.start(v2, 50, Instant.now()));
        values.put("v2-rolled-back", CanaryRollout.stop(v2, Instant.now()));

        publish(ModelVersionKeys.canary("m"), "v2-canary");
        await().atMost(WAIT).until(() -> slot.canaryModel().isPresent());
        publish(ModelVersionKeys.canary("m"), "v2-rolled-back");

        await().atMost(WAIT).until(() -> slot.canaryModel().isEmpty());
        assertThat(slot.canaryPercent()).isZero();
        assertThat(slot.primaryModel().version()).isEqualTo(1);
    }

    private void publish(String value) {
        publish(ModelVersionKeys.current("m"), value);
    }

    private void publish(String key, String value) {
        consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset++, key, value.getBytes(StandardCharsets.UTF_8)));
    }

    private ModelVersion announcement(int version) throws Exception {
        return announcement(version, INPUT, smallCnn(16));
    }

    private static ComputationGraph smallCnn(int side) {
        return SmallCnn.build(1, side, side, CLASSES.size(), 1);
    }

    /**
     * A network that scores one image and no more: it reshapes its input to exactly one row, so a batch of several
     * images fails, as the warm-up's of two does. The bundle's own check, a forward pass on one image, passes.
     */
    private static ComputationGraph singleImageOnly() {
        ComputationGraph network = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(1)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(16, 16, 1))
                .addVertex("one-row", new ReshapeVertex(1, 16 * 16), "input")
                .addLayer(
                        "output",
                        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nIn(16 * 16)
                                .nOut(CLASSES.size())
                                .activation(Activation.SOFTMAX)
                                .build(),
                        "one-row")
                .setOutputs("output")
                .build());
        network.init();
        return network;
    }

    /**
     * The memory budget: what the {@value #LARGE}x{@value #LARGE} model needs for a forward pass of 3 images, as
     * DL4J estimates it; the 16x16 model needs less for {@value #BATCH_SIZE}.
     */
    private static long budget() {
        return smallCnn(LARGE)
                .getConfiguration()
                .getMemoryReport(InputType.convolutional(LARGE, LARGE, 1))
                .getTotalMemoryBytes(3, MemoryUseMode.INFERENCE, CacheMode.NONE, DataType.FLOAT);
    }

    private ModelVersion announcement(int version, Preprocessing input, ComputationGraph network) throws Exception {
        StoredBundle stored = new FileSystemModelStore(store)
                .save(ModelBundle.of(
                        BundleManifest.create("m", version, CLASSES, "small", input, Instant.now(), Map.of(), null),
                        network));
        return ModelVersion.newBuilder()
                .setModelName("m")
                .setVersion(version)
                .setBaseModelId("small")
                .setBundleUri(stored.uri().toString())
                .setBundleSha256(stored.sha256())
                .setClasses(List.copyOf(CLASSES))
                .setInputHeight(input.height())
                .setInputWidth(input.width())
                .setInputChannels(input.channels())
                .setPreprocessing("UNIT")
                .setResizePolicy("SQUASH")
                .setMetrics(ModelMetrics.newBuilder().build())
                .setCreatedTime(Instant.now())
                .setStatus(ModelStatus.PROMOTED)
                .build();
    }
}
