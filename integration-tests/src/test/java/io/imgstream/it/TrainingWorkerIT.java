package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.clients.tail.TopicTail;
import io.imgstream.control.ControlTopic;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.demo.DemoModel;
import io.imgstream.images.FetchSettings;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.Lineage;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.ClassifierTrainer;
import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.training.TrainingConfig;
import io.imgstream.model.training.TransferExperiment;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelRequest;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.ScorerApp;
import io.imgstream.topology.ScorerConfig;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.training.TrainingWorker;
import io.imgstream.training.TrainingWorkerConfig;
import io.imgstream.training.refit.RefitOutcome;
import io.imgstream.training.refit.Refitter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's real check, on a real broker and registry, with a base pretrained on classes 0-4 of the Fashion-MNIST
 * training set: from no model at all, labeled test images stream in as feedback (50, then 200, then 1,000) and the
 * worker computes their features, refits, gates and publishes versions whose accuracy on 1,000 fixed test images (never
 * labeled) rises at each stage, while a record
 * of garbage bytes on {@code feedback} is skipped; a scorer started afterwards runs the current version. A running
 * scorer adopts a version trained on new labels (the label-to-adoption time is printed, broken down), and a worker
 * process killed mid-refit or mid-publish leaves nothing half-written behind and its successor resumes from the
 * changelog.
 */
@Tag("integration")
@Tag("heavy")
class TrainingWorkerIT {

    private static final String MODEL = "fmnist";
    private static final String LABELER = "training-it";
    private static final Path FASHION_MNIST = Path.of(TransferExperiment.DEBIAN_DIRECTORY);
    private static final Preprocessing INPUT = new Preprocessing(28, 28, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);
    private static final int[] STAGES = {50, 200, 1000};
    /**
     * Test images that never get labels, read by every stage's version: the holdout (a share of the labels) is 5,
     * 26 and 186 images at the three stages, too few to tell one stage from the next.
     */
    private static final int FIXED_TEST_FROM = 5000;

    private static final int FIXED_TEST_COUNT = 1000;
    /** Predictions the scorer's drift window holds and compares once full. */
    private static final int DRIFT_WINDOW = 300;
    /** The scorer's drift threshold here, above the chance differences of a window and holdout this small. */
    private static final double DRIFT_THRESHOLD = 1.0;

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @TempDir
    static Path shared;

    @TempDir
    Path temp;

    private static Path baseWeights;
    private static LabeledImages test;

    @BeforeAll
    static void pretrainBaseAndReadTestImages() throws Exception {
        baseWeights = pretrainedBase();
        test = IdxImages.read(
                FASHION_MNIST.resolve(TransferExperiment.TEST_IMAGES),
                FASHION_MNIST.resolve(TransferExperiment.TEST_LABELS));
    }

    @Test
    @Timeout(600)
    void shouldPublishVersionsWhoseAccuracyRisesAndTheScorerAdoptsThem() throws Exception {
        Instant started = Instant.now();
        TopicCatalog topics = createTopics();
        List<String> classes = DemoModel.classes();
        Path images = Files.createDirectories(temp.resolve("images"));
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<String> progress = new CopyOnWriteArrayList<>();
        Map<Integer, RefitOutcome> outcomes = new HashMap<>();

        try (TrainingWorker worker = TrainingWorker.start(workerConfig(topics, baseWeights, images), progress::add);
                KafkaProducer<String, SpecificRecord> feedback =
                        new KafkaProducer<>(clientProperties(), new StringSerializer(), serdes.valueSerializer())) {
            assertThat(worker.awaitRunning(Duration.ofSeconds(90)))
                    .as("worker state %s", worker.state())
                    .isTrue();
            try (KafkaProducer<String, byte[]> raw =
                    new KafkaProducer<>(clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(
                                topics.name(TopicRole.FEEDBACK),
                                "garbage",
                                "not avro, no magic byte".getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
            int sent = 0;
            for (int stage : STAGES) {
                FashionMnistFeedback.send(
                        feedback, topics.name(TopicRole.FEEDBACK), test, classes, images, sent, stage, LABELER);
                sent = stage;
                int expected = stage;
                await("a refit on all " + stage + " labels")
                        .atMost(Duration.ofSeconds(180))
                        .until(() -> worker.lastOutcome()
                                .filter(o -> o.skipped().isEmpty() && o.labeledImages() == expected)
                                .isPresent());
                outcomes.put(stage, worker.lastOutcome().orElseThrow());
            }
        }
        progress.forEach(System.out::println);

        RefitOutcome first = outcomes.get(STAGES[0]);
        RefitOutcome last = outcomes.get(STAGES[STAGES.length - 1]);
        Map<Integer, Double> fixedTestAccuracy = new HashMap<>();
        for (int stage : STAGES) {
            RefitOutcome o = outcomes.get(stage);
            fixedTestAccuracy.put(stage, fixedTestAccuracy(o.version()));
            System.out.printf(
                    Locale.ROOT,
                    "after %4d labels: v%d %s, accuracy %.3f on %d fixed test images that never get labels, "
                            + "holdout accuracy %.3f on %d images (current %s), "
                            + "features of %d images computed by the worker in %.2f s, fit %.1f s, evaluate %.2f s, "
                            + "publish %.2f s%n",
                    stage,
                    o.version(),
                    o.status(),
                    fixedTestAccuracy.get(stage),
                    FIXED_TEST_COUNT,
                    o.accuracy(),
                    o.holdoutSize(),
                    o.currentAccuracy()
                            .map(a -> String.format(Locale.ROOT, "%.3f", a))
                            .orElse("none"),
                    o.backfilled(),
                    seconds(o.backfillTime()),
                    seconds(o.fitTime()),
                    seconds(o.evaluateTime()),
                    seconds(o.publishTime()));
        }
        assertThat(first.status()).as("the first version is always published").isEqualTo(ModelStatus.PROMOTED);
        assertThat(first.holdoutSize()).isPositive();
        for (int i = 1; i < STAGES.length; i++) {
            assertThat(fixedTestAccuracy.get(STAGES[i]))
                    .as("accuracy on the fixed test images after %d labels, against %d", STAGES[i], STAGES[i - 1])
                    .isGreaterThan(fixedTestAccuracy.get(STAGES[i - 1]));
        }
        assertThat(fixedTestAccuracy.get(STAGES[STAGES.length - 1]))
                .as("a real classifier of ten classes")
                .isGreaterThan(0.6);
        assertThat(last.classes()).containsExactlyInAnyOrderElementsOf(classes);

        ControlTopic control = new ControlTopic(clientProperties(), serdes, topics.name(TopicRole.MODEL_VERSIONS));
        Map<String, ModelVersion> records = control.latestByKey();
        ModelVersion current = ControlTopic.current(records, MODEL).orElseThrow();
        List<ModelVersion> history = records.entrySet().stream()
                .filter(e -> e.getKey().startsWith(MODEL + "/v"))
                .map(Map.Entry::getValue)
                .sorted((a, b) -> Integer.compare(a.getVersion(), b.getVersion()))
                .toList();
        assertThat(history)
                .extracting(ModelVersion::getVersion)
                .as("versions are 1, 2, 3, ... without gaps")
                .containsExactlyElementsOf(
                        IntStream.rangeClosed(1, history.size()).boxed().toList());
        assertThat(history.get(0).getParentVersion()).isNull();
        assertThat(history.subList(1, history.size()))
                .allSatisfy(v -> assertThat(v.getParentVersion()).isNotNull());
        assertThat(current.getMetrics().getConfusionMatrix())
                .hasSize(current.getClasses().size());
        assertThat(current.getMetrics().getPerClass())
                .hasSize(current.getClasses().size());
        assertThat(records).containsKey(ModelVersionKeys.history(MODEL, current.getVersion()));
        assertLineage(last, test, classes, started, workerConfig(topics, baseWeights, images));

        // A scorer started now begins on the current version; its predictions name it.
        try (ScorerApp scorer = ScorerApp.start(scorerConfig(topics, images));
                ImagePublisher publisher =
                        new ImagePublisher(clientProperties(), serdes, topics.name(TopicRole.IMAGES));
                TopicTail tail =
                        new TopicTail(clientProperties(), serdes, List.of(topics.name(TopicRole.PREDICTIONS)), true)) {
            assertThat(scorer.awaitRunning(Duration.ofSeconds(90))).isTrue();
            assertThat(scorer.model().version()).isEqualTo(current.getVersion());
            // Unlabeled images like the labeled ones: the drift window looks like the holdout.
            int firstUnlabeled = STAGES[STAGES.length - 1];
            List<String> alike = publishTestImages(
                    publisher,
                    images,
                    "alike-",
                    IntStream.range(firstUnlabeled, firstUnlabeled + DRIFT_WINDOW)
                            .boxed()
                            .toList());
            Map<String, Prediction> predictions = new ConcurrentHashMap<>();
            awaitRecords(tail, predictions, alike);
            assertThat(predictions.values())
                    .extracting(Prediction::getModelVersion)
                    .containsOnly(current.getVersion());
            MetricRegistry registry = scorer.metrics().registry();
            assertThat(gauge(registry, ScorerMetrics.DRIFT_WINDOW)).isEqualTo((double) DRIFT_WINDOW);
            assertThat(gauge(registry, ScorerMetrics.DRIFTING))
                    .as(
                            "images like the holdout's: confidence shift %s, class mix shift %s",
                            gauge(registry, ScorerMetrics.DRIFT_CONFIDENCE_SHIFT),
                            gauge(registry, ScorerMetrics.DRIFT_CLASS_MIX_SHIFT))
                    .isEqualTo(0.0);

            printDrift("images like the holdout's", registry);

            // Then the stream turns to one class only: the class mix moves, the scorer says so and asks for labels.
            List<String> shifted = publishTestImages(
                    publisher,
                    images,
                    "shifted-",
                    IntStream.range(FIXED_TEST_FROM + FIXED_TEST_COUNT, test.count())
                            .filter(i -> test.label(i) == 0)
                            .limit(DRIFT_WINDOW)
                            .boxed()
                            .toList());
            assertThat(shifted).hasSize(DRIFT_WINDOW);
            awaitRecords(tail, predictions, shifted);
            printDrift("one class only", registry);
            assertThat(gauge(registry, ScorerMetrics.DRIFTING)).isEqualTo(1.0);
            assertThat(gauge(registry, ScorerMetrics.DRIFT_CLASS_MIX_SHIFT)).isGreaterThan(DRIFT_THRESHOLD);
            Map<String, LabelRequest> driftRequests = new ConcurrentHashMap<>();
            try (TopicTail requests = new TopicTail(
                    clientProperties(), serdes, List.of(topics.name(TopicRole.LABELING_REQUESTS)), true)) {
                await("label requests for drift").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    requests.follow(
                            Long.MAX_VALUE,
                            Duration.ofMillis(300),
                            r -> {
                                LabelRequest request = (LabelRequest) r.value();
                                if (request.getReason().toString().startsWith("drift:")) {
                                    driftRequests.put(request.getImageId().toString(), request);
                                }
                            },
                            problem -> {});
                    assertThat(driftRequests).isNotEmpty();
                });
            }
            assertThat(driftRequests.keySet())
                    .as("only images seen while the model drifted are asked about for drift")
                    .allSatisfy(id -> assertThat(shifted).contains(id));
        }
    }

    private static List<String> publishTestImages(
            ImagePublisher publisher, Path images, String prefix, List<Integer> indices) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i : indices) {
            String id = prefix + i;
            publisher
                    .publish(ImageRef.newBuilder()
                            .setId(id)
                            .setUri(FashionMnistFeedback.writeImage(test, images, i)
                                    .toUri()
                                    .toString())
                            .setEventTime(Instant.now())
                            .build())
                    .get();
            ids.add(id);
        }
        return ids;
    }

    private static void awaitRecords(TopicTail tail, Map<String, Prediction> predictions, List<String> ids) {
        await("predictions").atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            tail.follow(
                    Long.MAX_VALUE,
                    Duration.ofMillis(300),
                    r -> predictions.put(r.key(), (Prediction) r.value()),
                    problem -> {});
            assertThat(predictions.keySet()).containsAll(ids);
        });
    }

    private static void printDrift(String window, MetricRegistry registry) {
        System.out.printf(
                Locale.ROOT,
                "drift over %.0f predictions of %s: confidence shift %.3f, class mix shift %.3f, drifting %.0f%n",
                gauge(registry, ScorerMetrics.DRIFT_WINDOW),
                window,
                gauge(registry, ScorerMetrics.DRIFT_CONFIDENCE_SHIFT),
                gauge(registry, ScorerMetrics.DRIFT_CLASS_MIX_SHIFT),
                gauge(registry, ScorerMetrics.DRIFTING));
    }

    private static double gauge(MetricRegistry registry, String name) {
        return ((Number) registry.getGauges().get(name).getValue()).doubleValue();
    }

    /** The scorer adopts a version the worker publishes while it runs; prints the label-to-adoption breakdown. */
    @Test
    @Timeout(600)
    void shouldHaveARunningScorerAdoptANewVersion() throws Exception {
        TopicCatalog topics = createTopics();
        List<String> classes = DemoModel.classes();
        Path images = Files.createDirectories(temp.resolve("images"));
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        // Every candidate passes the gate here: this test times adoption, the first one tests the gate.
        Map<String, Object> settings =
                new HashMap<>(workerConfig(topics, baseWeights, images).originals());
        settings.put(TrainingWorkerConfig.GATE_MIN_IMPROVEMENT_CONFIG, -1.0);
        try (TrainingWorker worker = TrainingWorker.start(new TrainingWorkerConfig(settings), line -> {});
                KafkaProducer<String, SpecificRecord> feedback =
                        new KafkaProducer<>(clientProperties(), new StringSerializer(), serdes.valueSerializer())) {
            assertThat(worker.awaitRunning(Duration.ofSeconds(90))).isTrue();
            FashionMnistFeedback.send(
                    feedback, topics.name(TopicRole.FEEDBACK), test, classes, images, 0, 100, LABELER);
            await("v1")
                    .atMost(Duration.ofSeconds(180))
                    .until(() ->
                            worker.lastOutcome().filter(RefitOutcome::published).isPresent());
            int firstVersion = worker.lastOutcome().orElseThrow().version();
            // A committed transaction's markers reach the partition after commitTransaction returns; a scorer
            // started before read_committed consumers see the announcement would rightly find no version.
            ControlTopic control = new ControlTopic(clientProperties(), serdes, topics.name(TopicRole.MODEL_VERSIONS));
            await("v" + firstVersion + " visible on the control topic")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> ControlTopic.current(control.latestByKey(), MODEL)
                            .map(ModelVersion::getVersion)
                            .filter(v -> v == firstVersion)
                            .isPresent());
            try (ScorerApp scorer = ScorerApp.start(scorerConfig(topics, images))) {
                assertThat(scorer.awaitRunning(Duration.ofSeconds(90))).isTrue();
                assertThat(scorer.model().version()).isEqualTo(firstVersion);
                Instant labelsSent = FashionMnistFeedback.send(
                        feedback, topics.name(TopicRole.FEEDBACK), test, classes, images, 100, 400, LABELER);
                await("a version trained on all 400 labels in use")
                        .atMost(Duration.ofSeconds(240))
                        .until(() -> worker.lastOutcome()
                                .filter(o -> o.published() && o.labeledImages() == 400)
                                .map(o -> scorer.model().version() == o.version())
                                .orElse(false));
                Instant adopted = Instant.now();
                RefitOutcome outcome = worker.lastOutcome().orElseThrow();
                System.out.printf(
                        Locale.ROOT,
                        "label 400 → v%d in use by the scorer: %.2f s = wait for the trigger %.2f s "
                                + "+ compute features %.2f s + fit %.2f s + evaluate %.2f s + save and announce %.2f s "
                                + "+ scorer adopts %.2f s%n",
                        scorer.model().version(),
                        seconds(Duration.between(labelsSent, adopted)),
                        seconds(Duration.between(labelsSent, outcome.started())),
                        seconds(outcome.backfillTime()),
                        seconds(outcome.fitTime()),
                        seconds(outcome.evaluateTime()),
                        seconds(outcome.publishTime()),
                        seconds(Duration.between(outcome.announced(), adopted)));
            }
        }
    }

    /**
     * kill -9 in the middle of a refit: nothing half-written is announced, and a worker started afterwards on a fresh
     * state directory (another machine) restores the labeled set from its changelog and publishes a version trained on
     * every label, without any label being sent again.
     */
    @Test
    @Timeout(600)
    void shouldResumeFromTheDurableLabeledSetAfterAKillMidRefit() throws Exception {
        TopicCatalog topics = createTopics();
        Path images = Files.createDirectories(temp.resolve("images"));
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        Path config = workerConfigFile(
                topics,
                images,
                Map.of(
                        TrainingWorkerConfig.REFIT_EVERY_LABELS_CONFIG,
                        600,
                        TrainingWorkerConfig.HEAD_EPOCHS_CONFIG,
                        200));
        CliProcess first = CliProcess.start(
                "train",
                config,
                STACK.bootstrapServers(),
                STACK.registryUrl(),
                temp,
                "worker-1",
                temp.resolve("state-1"));
        first.awaitOutput("Training '" + MODEL + "'", Duration.ofSeconds(120));
        try (KafkaProducer<String, SpecificRecord> feedback =
                new KafkaProducer<>(clientProperties(), new StringSerializer(), serdes.valueSerializer())) {
            FashionMnistFeedback.send(
                    feedback, topics.name(TopicRole.FEEDBACK), test, DemoModel.classes(), images, 0, 600, LABELER);
        }
        first.awaitOutput("refit " + MODEL + " v1:", Duration.ofSeconds(120));
        first.kill();
        ControlTopic control = new ControlTopic(clientProperties(), serdes, topics.name(TopicRole.MODEL_VERSIONS));
        Path bundle = temp.resolve("models").resolve(MODEL).resolve("v1").resolve("bundle.zip");
        Map<String, ModelVersion> afterKill = control.latestByKey();
        if (afterKill.isEmpty()) {
            System.out.println("killed before v1 was announced; bundle on disk: " + Files.exists(bundle));
        } else {
            System.out.println("the kill came after v1 was announced");
            ModelVersion v1 = afterKill.get(ModelVersionKeys.history(MODEL, 1));
            assertThat(BundleFile.sha256(bundle)).isEqualTo(v1.getBundleSha256().toString());
        }

        CliProcess second = CliProcess.start(
                "train",
                config,
                STACK.bootstrapServers(),
                STACK.registryUrl(),
                temp,
                "worker-2",
                temp.resolve("state-2"));
        try {
            second.awaitOutput("announced PROMOTED", Duration.ofSeconds(240));
        } finally {
            second.stop();
        }
        Map<String, ModelVersion> records = control.latestByKey();
        ModelVersion current = ControlTopic.current(records, MODEL).orElseThrow();
        double labeled = BundleFile.readManifest(
                        Path.of(URI.create(current.getBundleUri().toString())))
                .metrics()
                .get(Refitter.LABELED_IMAGES);
        assertThat(labeled)
                .as("trained on every label, restored from the changelog")
                .isEqualTo(600);
        assertEachVersionAnnouncedOnceWithItsBundle(topics, serdes);
    }

    /**
     * kill -9 the moment a refit's bundle is in the store, while the worker announces it: the two control records
     * of the version (history and current) are committed together or not at all, and the next worker announces the
     * following number, never the same one twice.
     */
    @Test
    @Timeout(600)
    void shouldAnnounceAVersionWholeOrNotAtAllWhenKilledMidPublish() throws Exception {
        TopicCatalog topics = createTopics();
        Path images = Files.createDirectories(temp.resolve("images"));
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        Path config = workerConfigFile(topics, images, Map.of(TrainingWorkerConfig.REFIT_EVERY_LABELS_CONFIG, 100));
        CliProcess first = CliProcess.start(
                "train",
                config,
                STACK.bootstrapServers(),
                STACK.registryUrl(),
                temp,
                "worker-1",
                temp.resolve("state-1"));
        Path bundle = temp.resolve("models").resolve(MODEL).resolve("v1").resolve("bundle.zip");
        try (KafkaProducer<String, SpecificRecord> feedback =
                new KafkaProducer<>(clientProperties(), new StringSerializer(), serdes.valueSerializer())) {
            first.awaitOutput("Training '" + MODEL + "'", Duration.ofSeconds(120));
            FashionMnistFeedback.send(
                    feedback, topics.name(TopicRole.FEEDBACK), test, DemoModel.classes(), images, 0, 100, LABELER);
            // The bundle is renamed into place just before the announcement starts.
            await("v1 saved")
                    .atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> Files.exists(bundle));
            first.kill();
            String v1History = ModelVersionKeys.history(MODEL, 1);
            Map<String, ModelVersion> afterKill =
                    new ControlTopic(clientProperties(), serdes, topics.name(TopicRole.MODEL_VERSIONS)).latestByKey();
            List<String> written = new ArrayList<>();
            TopicRecords.readToEnd(
                    clientProperties(),
                    serdes,
                    topics.name(TopicRole.MODEL_VERSIONS),
                    "read_uncommitted",
                    (String key, ModelVersion version) -> written.add(key));
            System.out.printf(
                    "TrainingWorkerIT: killed mid-publish; control records written %s, committed %s%n",
                    written, afterKill.keySet());
            assertThat(afterKill.keySet())
                    .as("every record of v1 (ControlTopic.keysOf) or none")
                    .isIn(Set.of(), Set.of(v1History, ModelVersionKeys.current(MODEL), ModelVersionKeys.canary(MODEL)));

            CliProcess second = CliProcess.start(
                    "train",
                    config,
                    STACK.bootstrapServers(),
                    STACK.registryUrl(),
                    temp,
                    "worker-2",
                    temp.resolve("state-2"));
            try {
                second.awaitOutput("Training '" + MODEL + "'", Duration.ofSeconds(120));
                FashionMnistFeedback.send(
                        feedback,
                        topics.name(TopicRole.FEEDBACK),
                        test,
                        DemoModel.classes(),
                        images,
                        100,
                        200,
                        LABELER);
                // v1's number is taken by the bundle in the store whether or not its announcement was committed.
                second.awaitOutput("v2 holdout accuracy", Duration.ofSeconds(240));
            } finally {
                second.stop();
            }
        }
        assertEachVersionAnnouncedOnceWithItsBundle(topics, serdes);
    }

    /** Accuracy of the version's bundle, as saved in the store, on the fixed test images. */
    /**
     * The last version says what trained it: the labeled set by class exactly as sent, the labels' time range within
     * this test, the recipe and the seed, and its holdout profile (what drift is measured against).
     */
    private void assertLineage(
            RefitOutcome outcome,
            LabeledImages labels,
            List<String> classes,
            Instant started,
            TrainingWorkerConfig config) {
        BundleManifest manifest = BundleFile.readManifest(temp.resolve("models")
                .resolve(MODEL)
                .resolve("v" + outcome.version())
                .resolve("bundle.zip"));
        Map<String, Integer> sentPerClass = new HashMap<>();
        for (int i = 0; i < outcome.labeledImages(); i++) {
            sentPerClass.merge(classes.get(labels.label(i)), 1, Integer::sum);
        }
        Lineage lineage = manifest.lineage();
        assertThat(lineage).as("lineage of v%d", outcome.version()).isNotNull();
        assertThat(lineage.labeledPerClass()).isEqualTo(sentPerClass);
        assertThat(lineage.firstLabel()).isBetween(started, lineage.lastLabel());
        assertThat(lineage.lastLabel()).isBeforeOrEqualTo(Instant.now());
        assertThat(lineage.recipe()).containsKeys("head", "training", "split");
        assertThat(lineage.seed()).isEqualTo(config.getLong(TrainingWorkerConfig.HEAD_SEED_CONFIG) + outcome.version());
        assertThat(manifest.holdoutProfile()).isNotNull();
        assertThat(manifest.holdoutProfile().count())
                .as("holdout profile over the holdout")
                .isEqualTo(outcome.holdoutSize());
    }

    private double fixedTestAccuracy(int version) throws IOException {
        Path file = temp.resolve("models").resolve(MODEL).resolve("v" + version).resolve("bundle.zip");
        ModelBundle bundle = BundleFile.readVerified(file, BundleFile.sha256(file));
        try {
            List<String> classes = DemoModel.classes();
            List<String> bundleClasses = bundle.manifest().classes();
            int right = 0;
            int batch = 100;
            for (int from = FIXED_TEST_FROM; from < FIXED_TEST_FROM + FIXED_TEST_COUNT; from += batch) {
                List<BufferedImage> images = new ArrayList<>();
                for (int i = from; i < from + batch; i++) {
                    images.add(test.image(i));
                }
                float[][] scores = bundle.predict(INPUT.toBatch(images));
                for (int i = 0; i < batch; i++) {
                    String truth = classes.get(test.label(from + i));
                    if (bundleClasses.get(ClassOutputs.argMax(scores[i])).equals(truth)) {
                        right++;
                    }
                }
            }
            return (double) right / FIXED_TEST_COUNT;
        } finally {
            bundle.network().clear();
        }
    }

    // Counts every committed record, not the latest per key: a version announced twice shows up here.
    private void assertEachVersionAnnouncedOnceWithItsBundle(TopicCatalog topics, RegistrySerdes serdes) {
        Map<String, Integer> historyRecords = new HashMap<>();
        TopicRecords.readToEnd(
                clientProperties(),
                serdes,
                topics.name(TopicRole.MODEL_VERSIONS),
                "read_committed",
                (String key, ModelVersion version) -> {
                    if (key.startsWith(MODEL + "/v")) {
                        historyRecords.merge(key, 1, Integer::sum);
                    }
                });
        System.out.printf("TrainingWorkerIT: committed history records %s%n", historyRecords);
        assertThat(historyRecords)
                .as("each version announced once, under its own number")
                .isNotEmpty()
                .allSatisfy((key, count) -> {
                    assertThat(count).as(key).isEqualTo(1);
                    assertThat(temp.resolve("models")
                                    .resolve(MODEL)
                                    .resolve(key.substring(MODEL.length() + 1))
                                    .resolve("bundle.zip"))
                            .as("bundle of " + key)
                            .exists();
                });
    }

    private Path workerConfigFile(TopicCatalog topics, Path images, Map<String, Object> overrides) throws IOException {
        Map<String, Object> settings =
                new HashMap<>(workerConfig(topics, baseWeights, images).originals());
        settings.putAll(overrides);
        settings.remove(TrainingWorkerConfig.BOOTSTRAP_SERVERS_CONFIG);
        settings.remove(TrainingWorkerConfig.REGISTRY_URL_CONFIG);
        Properties file = new Properties();
        settings.forEach((k, v) -> file.setProperty(k, String.valueOf(v)));
        Path config = temp.resolve("worker.properties");
        try (Writer writer = Files.newBufferedWriter(config)) {
            file.store(writer, "training worker for a crash test");
        }
        return config;
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    /** A small CNN trained on classes 0-4 of the Fashion-MNIST training set, saved as a DL4J zip: the base. */
    private static Path pretrainedBase() throws Exception {
        LabeledImages train = IdxImages.read(
                FASHION_MNIST.resolve(TransferExperiment.TRAIN_IMAGES),
                FASHION_MNIST.resolve(TransferExperiment.TRAIN_LABELS));
        List<Integer> source = new ArrayList<>();
        for (int i = 0; i < train.count() && source.size() < 2500; i++) {
            if (train.label(i) < 5) {
                source.add(i);
            }
        }
        LabeledImages sourceSet =
                train.subset(source.stream().mapToInt(Integer::intValue).toArray());
        LabeledImages validation = sourceSet.subset(IntStream.range(2000, 2500).toArray());
        LabeledImages fit = sourceSet.subset(IntStream.range(0, 2000).toArray());
        ComputationGraph network = SmallCnn.build(1, 28, 28, 5, 3, DemoModel.NETWORK);
        new ClassifierTrainer(INPUT, new TrainingConfig(3, 32, 3)).train(network, fit, validation, epoch -> {});
        Path zip = shared.resolve("fmnist-0-4-conv.zip");
        ModelSerializer.writeModel(network, zip.toFile(), false);
        return zip;
    }

    private TrainingWorkerConfig workerConfig(TopicCatalog topics, Path baseWeights, Path images) {
        Map<String, Object> props = WorkerSettings.withSmallCnnBase(
                WorkerSettings.on(STACK, topics, MODEL, temp, images, "training-it"), baseWeights, "fmnist-0-4-conv");
        props.put(TrainingWorkerConfig.REFIT_EVERY_LABELS_CONFIG, 50);
        props.put(TrainingWorkerConfig.REFIT_INTERVAL_MS_CONFIG, 3_000);
        props.put(TrainingWorkerConfig.HEAD_LEARNING_RATE_CONFIG, 1e-3);
        props.put(TrainingWorkerConfig.HEAD_EPOCHS_CONFIG, 30);
        return new TrainingWorkerConfig(props);
    }

    private ScorerConfig scorerConfig(TopicCatalog topics, Path images) {
        Map<String, Object> props = new HashMap<>();
        props.put(ScorerConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.bootstrapServers());
        props.put(ScorerConfig.REGISTRY_URL_CONFIG, STACK.registryUrl());
        props.put(ScorerConfig.APPLICATION_ID_CONFIG, "training-it-scorer-" + UUID.randomUUID());
        props.put(ScorerConfig.STATE_DIR_CONFIG, temp.resolve("scorer").toString());
        props.put(ScorerConfig.MODEL_NAME_CONFIG, MODEL);
        props.put(ScorerConfig.MODEL_STORE_CONFIG, temp.resolve("models").toString());
        props.put(ScorerConfig.METRICS_JMX_ENABLED_CONFIG, false);
        props.put(FetchSettings.ALLOWED_ROOTS_CONFIG, images.toString());
        for (TopicRole role : TopicRole.values()) {
            props.put(ScorerConfig.TOPIC_NAME_PREFIX + role.defaultName(), topics.name(role));
        }
        props.put(ScorerConfig.DRIFT_WINDOW_SIZE_CONFIG, DRIFT_WINDOW);
        props.put(ScorerConfig.DRIFT_MIN_PREDICTIONS_CONFIG, DRIFT_WINDOW);
        props.put(ScorerConfig.DRIFT_LABELING_SHARE_CONFIG, 1.0);
        // A window of 300 against a holdout of about 190 differs by chance by a PSI of about 0.1-0.2 (sparse
        // confidence bins add to it); one class only moves the class mix by well over 2.
        props.put(ScorerConfig.DRIFT_THRESHOLD_CONFIG, DRIFT_THRESHOLD);
        return new ScorerConfig(props);
    }

    private static TopicCatalog createTopics() throws Exception {
        return ScoringFixture.createTopics(STACK.bootstrapServers());
    }

    private static Properties clientProperties() {
        return ScoringFixture.clientProperties(STACK.bootstrapServers());
    }
}
