package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.control.ControlTopic;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.demo.DemoModel;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ArmFigures;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.LatencyBreakdown;
import io.imgstream.schemas.avro.ModelMetrics;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.schemas.avro.PredictionArm;
import io.imgstream.schemas.avro.RolloutAction;
import io.imgstream.training.TrainingWorker;
import io.imgstream.training.TrainingWorkerConfig;
import io.imgstream.training.metrics.TrainingMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's rollout policy on a real broker and registry: a worker with a policy of two steps (10%, 50%) takes over
 * a canary announced the way {@code imgstream models promote --canary} does, and, fed predictions of both arms and
 * their labels in the registry's format (written here: the scorer's side of the canary is not what is tested), steps
 * a better canary up and promotes it (across a restart of the worker between the steps, so the step is recovered
 * from the control topic), and rolls a worse one back, each decision a record with the arms' figures since the step
 * began.
 */
@Tag("integration")
class RolloutPolicyIT {

    private static final String MODEL = "rollout";
    private static final int LABELED = 20;
    private static final Duration DECISION = Duration.ofSeconds(60);

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @TempDir
    static Path shared;

    @TempDir
    Path temp;

    private static Path baseWeights;

    @BeforeAll
    static void saveABase() throws Exception {
        // The worker needs a base to start; it never refits here, so an untrained one does.
        baseWeights = shared.resolve("small-cnn.zip");
        ModelSerializer.writeModel(SmallCnn.build(1, 28, 28, 2, 3, DemoModel.NETWORK), baseWeights.toFile(), false);
    }

    @Test
    @Timeout(300)
    void shouldStepABetterCanaryUpAndPromoteItAcrossARestart() throws Exception {
        TopicCatalog topics = ScoringFixture.createTopics(STACK.bootstrapServers());
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        ControlTopic control = new ControlTopic(clientProperties(), serdes, topics.name(TopicRole.MODEL_VERSIONS));
        control.announce(version(1, ModelStatus.PROMOTED, null));
        control.announce(version(2, ModelStatus.CANARY, 10));

        ModelVersion step;
        try (TrainingWorker worker = TrainingWorker.start(workerConfig(topics), line -> {});
                KafkaProducer<String, SpecificRecord> producer = producer(serdes)) {
            assertThat(worker.awaitRunning(Duration.ofSeconds(90))).isTrue();
            garbageOnPredictions(topics);
            // Noise that must not count: another model, the shadow, an old version, labels for unscored images.
            send(producer, topics, prediction("other-0", "another-model", 2, PredictionArm.CANARY, "cat"));
            send(producer, topics, prediction("shadow-0", MODEL, 2, PredictionArm.SHADOW, "cat"));
            send(producer, topics, prediction("old-0", MODEL, 0, PredictionArm.CURRENT, "cat"));
            send(producer, topics, label("never-scored-0", "cat"));
            // A label before its prediction, and a duplicate label: each image counts once.
            send(producer, topics, label("s0-canary-0", "cat"));
            arm(producer, topics, "s0-current", 1, PredictionArm.CURRENT, LABELED, 14);
            arm(producer, topics, "s0-canary", 2, PredictionArm.CANARY, LABELED, 18);
            send(producer, topics, label("s0-canary-1", "cat"));
            producer.flush();

            step = awaitCanaryRecord(control, RolloutAction.STEP);
            assertThat(step.getCanaryPercent()).isEqualTo(50);
            assertThat(step.getRolloutDecision().getStep()).isEqualTo(1);
            assertThat(figures(step, PredictionArm.CURRENT)).isEqualTo(new long[] {1, LABELED, LABELED, 14});
            assertThat(figures(step, PredictionArm.CANARY)).isEqualTo(new long[] {2, LABELED, LABELED, 18});
            assertThat(worker.metrics()
                            .registry()
                            .counter(TrainingMetrics.ROLLOUT_DECISIONS + ".STEP")
                            .getCount())
                    .isEqualTo(1);
            assertThat(worker.metrics()
                            .registry()
                            .counter(TrainingMetrics.ROLLOUT_RECORDS_SKIPPED)
                            .getCount())
                    .as("the garbage on predictions")
                    .isEqualTo(1);
        }

        try (KafkaProducer<String, SpecificRecord> producer = producer(serdes)) {
            arm(producer, topics, "s1-current", 1, PredictionArm.CURRENT, LABELED, 15);
            arm(producer, topics, "s1-canary", 2, PredictionArm.CANARY, LABELED, 17);
            producer.flush();
        }
        try (TrainingWorker successor = TrainingWorker.start(workerConfig(topics), line -> {})) {
            ModelVersion promoted = awaitCanaryRecord(control, RolloutAction.PROMOTE);

            assertThat(promoted.getStatus()).isEqualTo(ModelStatus.PROMOTED);
            assertThat(promoted.getRolloutDecision().getStep()).isEqualTo(1);
            assertThat(figures(promoted, PredictionArm.CURRENT))
                    .as("only the second step's predictions, read again by the successor from the step's start")
                    .isEqualTo(new long[] {1, LABELED, LABELED, 15});
            assertThat(figures(promoted, PredictionArm.CANARY)).isEqualTo(new long[] {2, LABELED, LABELED, 17});
            Map<String, ModelVersion> records = control.latestByKey();
            assertThat(ControlTopic.current(records, MODEL))
                    .map(ModelVersion::getVersion)
                    .contains(2);
            assertThat(ControlTopic.canary(records, MODEL))
                    .as("the canary ended")
                    .isEmpty();
            assertThat(records.get(ModelVersionKeys.history(MODEL, 2)).getStatus())
                    .isEqualTo(ModelStatus.PROMOTED);
            assertThat(promoted.getRolloutDecision().getReason()).contains("Promoted");
        }
    }

    @Test
    @Timeout(300)
    void shouldRollAWorseCanaryBack() throws Exception {
        TopicCatalog topics = ScoringFixture.createTopics(STACK.bootstrapServers());
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        ControlTopic control = new ControlTopic(clientProperties(), serdes, topics.name(TopicRole.MODEL_VERSIONS));
        control.announce(version(1, ModelStatus.PROMOTED, null));
        control.announce(version(2, ModelStatus.CANARY, 10));

        try (TrainingWorker worker = TrainingWorker.start(workerConfig(topics), line -> {});
                KafkaProducer<String, SpecificRecord> producer = producer(serdes)) {
            assertThat(worker.awaitRunning(Duration.ofSeconds(90))).isTrue();
            arm(producer, topics, "current", 1, PredictionArm.CURRENT, LABELED, 18);
            arm(producer, topics, "canary", 2, PredictionArm.CANARY, LABELED, 12);
            producer.flush();

            ModelVersion rolledBack = awaitCanaryRecord(control, RolloutAction.ROLL_BACK);

            assertThat(rolledBack.getStatus()).isEqualTo(ModelStatus.ROLLED_BACK);
            assertThat(rolledBack.getRolloutDecision().getStep()).isZero();
            assertThat(figures(rolledBack, PredictionArm.CURRENT)).isEqualTo(new long[] {1, LABELED, LABELED, 18});
            assertThat(figures(rolledBack, PredictionArm.CANARY)).isEqualTo(new long[] {2, LABELED, LABELED, 12});
            assertThat(rolledBack.getRolloutDecision().getArms())
                    .extracting(ArmFigures::getAccuracy)
                    .containsExactly(0.9, 0.6);
            Map<String, ModelVersion> records = control.latestByKey();
            assertThat(ControlTopic.current(records, MODEL))
                    .map(ModelVersion::getVersion)
                    .contains(1);
            assertThat(ControlTopic.canary(records, MODEL)).isEmpty();
            assertThat(records.get(ModelVersionKeys.history(MODEL, 2)).getStatus())
                    .isEqualTo(ModelStatus.ROLLED_BACK);
            assertThat(worker.metrics()
                            .registry()
                            .counter(TrainingMetrics.ROLLOUT_DECISIONS + ".ROLL_BACK")
                            .getCount())
                    .isEqualTo(1);
        }
    }

    /** Waits for the record under the canary key to carry a decision of {@code action}. */
    private static ModelVersion awaitCanaryRecord(ControlTopic control, RolloutAction action) {
        AtomicReference<ModelVersion> found = new AtomicReference<>();
        await("a " + action + " decision")
                .atMost(DECISION)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    Optional<ModelVersion> record =
                            Optional.ofNullable(control.latestByKey().get(ModelVersionKeys.canary(MODEL)));
                    record.filter(r -> r.getRolloutDecision() != null
                                    && r.getRolloutDecision().getAction() == action)
                            .ifPresent(found::set);
                    return found.get() != null;
                });
        return found.get();
    }

    /** An arm's figures as {version, scored, labeled, correct}. */
    private static long[] figures(ModelVersion record, PredictionArm arm) {
        ArmFigures figures = record.getRolloutDecision().getArms().stream()
                .filter(f -> f.getArm() == arm)
                .findFirst()
                .orElseThrow();
        return new long[] {figures.getModelVersion(), figures.getScored(), figures.getLabeled(), figures.getCorrect()};
    }

    /** {@code images} predictions of "cat" by one arm, then their labels: {@code correct} of them "cat". */
    private static void arm(
            KafkaProducer<String, SpecificRecord> producer,
            TopicCatalog topics,
            String prefix,
            int version,
            PredictionArm arm,
            int images,
            int correct) {
        for (int i = 0; i < images; i++) {
            send(producer, topics, prediction(prefix + "-" + i, MODEL, version, arm, "cat"));
        }
        for (int i = 0; i < images; i++) {
            send(producer, topics, label(prefix + "-" + i, i < correct ? "cat" : "dog"));
        }
    }

    private static void send(
            KafkaProducer<String, SpecificRecord> producer, TopicCatalog topics, SpecificRecord value) {
        TopicRole role = value instanceof Prediction ? TopicRole.PREDICTIONS : TopicRole.FEEDBACK;
        String key = value instanceof Prediction p
                ? p.getImageId().toString()
                : ((LabelFeedback) value).getImageId().toString();
        producer.send(new ProducerRecord<>(topics.name(role), key, value));
    }

    private static void garbageOnPredictions(TopicCatalog topics) throws Exception {
        try (KafkaProducer<String, byte[]> raw =
                new KafkaProducer<>(clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(
                            topics.name(TopicRole.PREDICTIONS),
                            "garbage",
                            "not avro, no magic byte".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
    }

    private static Prediction prediction(String imageId, String model, int version, PredictionArm arm, String top) {
        Instant now = Instant.now();
        return Prediction.newBuilder()
                .setImageId(imageId)
                .setImageUri("file:///images/" + imageId + ".png")
                .setModelName(model)
                .setModelVersion(version)
                .setTopK(List.of(new ClassProbability(top, 0.9f)))
                .setProbabilities(Map.of(top, 0.9f, "dog", 0.1f))
                .setEventTime(now)
                .setScoredTime(now)
                .setBatchId("rollout-it")
                .setLatency(new LatencyBreakdown(0.0, 0.0, 0.0))
                .setArm(arm)
                .build();
    }

    private static LabelFeedback label(String imageId, String label) {
        return LabelFeedback.newBuilder()
                .setImageId(imageId)
                .setLabel(label)
                .setLabeler("rollout-it")
                .setTime(Instant.now())
                .build();
    }

    /** A version record as the CLI announces it; its bundle is never loaded (another base than the worker's). */
    private static ModelVersion version(int version, ModelStatus status, Integer canaryPercent) {
        return ModelVersion.newBuilder()
                .setModelName(MODEL)
                .setVersion(version)
                .setBaseModelId("another-base")
                .setBundleUri("file:///models/" + MODEL + "/v" + version + "/bundle.zip")
                .setBundleSha256("0".repeat(64))
                .setClasses(List.of("cat", "dog"))
                .setInputHeight(28)
                .setInputWidth(28)
                .setInputChannels(1)
                .setPreprocessing("UNIT")
                .setResizePolicy("SQUASH")
                .setMetrics(ModelMetrics.newBuilder().setAccuracy(0.8).build())
                .setCreatedTime(Instant.now())
                .setStatus(status)
                .setCanaryPercent(canaryPercent)
                .build();
    }

    private TrainingWorkerConfig workerConfig(TopicCatalog topics) throws Exception {
        Path images = Files.createDirectories(temp.resolve("images"));
        Map<String, Object> props = WorkerSettings.withSmallCnnBase(
                WorkerSettings.on(STACK, topics, MODEL, temp, images, "rollout-it"), baseWeights, "small-cnn");
        props.put(TrainingWorkerConfig.REFIT_MIN_LABELS_CONFIG, 1_000_000);
        props.put(TrainingWorkerConfig.ROLLOUT_STEPS_CONFIG, "10,50");
        props.put(TrainingWorkerConfig.ROLLOUT_MIN_LABELED_CONFIG, LABELED);
        props.put(TrainingWorkerConfig.ROLLOUT_MAX_ACCURACY_DROP_CONFIG, 0.05);
        props.put(TrainingWorkerConfig.ROLLOUT_CHECK_INTERVAL_MS_CONFIG, 300L);
        props.put(TrainingWorkerConfig.ROLLOUT_STEP_TIMEOUT_MS_CONFIG, 600_000L);
        return new TrainingWorkerConfig(props);
    }

    private static KafkaProducer<String, SpecificRecord> producer(RegistrySerdes serdes) {
        return new KafkaProducer<>(clientProperties(), new StringSerializer(), serdes.valueSerializer());
    }

    private static Properties clientProperties() {
        return ScoringFixture.clientProperties(STACK.bootstrapServers());
    }
}
