package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.cli.CliException;
import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.demo.DemoModel;
import io.imgstream.images.FetchSettings;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.SplitHint;
import io.imgstream.stack.StackComponent;
import io.imgstream.topology.ScorerConfig;
import io.imgstream.training.TrainingWorkerConfig;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The servers a scorer depends on going away under it, on a real broker and registry: the broker is stopped
 * and started again (same ports and data) twice during a steady stream, once while the scorer is busy and once
 * right after it loaded a new model version; the registry is stopped before a scorer starts and while one runs;
 * the broker is stopped again while an {@code imgstream train} process refits. The scorer is an
 * {@code imgstream score} process under {@code exactly_once_v2}; every image the stream published must end with
 * exactly one committed outcome, and the worker's version must be announced exactly once.
 *
 * <p>While the registry is down, records whose schemas the scorer's serdes have cached flow on. A record that
 * needs a schema the scorer has not used yet (here the first dead letter) fails its stream thread; the thread is
 * replaced and the record processed again from the last commit until the registry answers: a pause, not a loss.
 */
@Tag("integration")
class OutageIT {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    private static final Duration OUTAGE = Duration.ofSeconds(8);
    private static final Duration PUBLISH_INTERVAL = Duration.ofMillis(100);
    private static final int TAIL_IMAGES = 20;
    private static final String WORKER_MODEL = "outage";

    @TempDir
    Path temp;

    @Test
    @Timeout(420)
    void shouldScoreEveryImageOnceAcrossBrokerRestartsWhileScoringAndDuringAModelSwap() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<Path> files = DemoModel.extractDemoImages(temp.resolve("images"));
        CliProcess scorer = startScorer(fixture, files.get(0).getParent(), "scorer");
        try (KafkaProducer<String, SpecificRecord> control =
                new KafkaProducer<>(fixture.clientProperties(), new StringSerializer(), serdes.valueSerializer())) {
            scorer.awaitScoring();
            List<String> ids;
            try (SteadyStream stream =
                    SteadyStream.start(fixture, serdes, files, 240, PUBLISH_INTERVAL, "broker-out")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> stream.published() >= 40);
                restartBroker();

                await().atMost(Duration.ofSeconds(120)).until(() -> stream.published() >= 120);
                StoredBundle v4 = fixture.saveVersion(4, 11);
                control.send(new ProducerRecord<>(
                                fixture.topics().name(TopicRole.MODEL_VERSIONS),
                                ModelVersionKeys.current(ScoringFixture.MODEL_NAME),
                                ScoringFixture.announce(v4, ModelStatus.PROMOTED, v4.sha256())))
                        .get();
                // The swap happens at the next batch, whose transaction then spans the outage.
                scorer.awaitOutput("Model it-model v4 ready", Duration.ofSeconds(60));
                restartBroker();
                ids = stream.awaitAll(Duration.ofSeconds(240));
            }

            Map<String, Integer> versions = new HashMap<>();
            Map<String, Integer> committed = awaitCommittedPredictions(fixture, serdes, ids, versions);
            List<String> tail = ids.subList(ids.size() - TAIL_IMAGES, ids.size());
            System.out.printf(
                    "OutageIT: %d images, two broker outages of %d s (one right after a swap): %d with a "
                            + "committed prediction, %d with more than one, %d on v3, %d on v4%n",
                    ids.size(),
                    OUTAGE.toSeconds(),
                    committed.size(),
                    committed.values().stream().filter(count -> count > 1).count(),
                    versions.values().stream()
                            .filter(v -> v == ScoringFixture.MODEL_VERSION)
                            .count(),
                    versions.values().stream().filter(v -> v == 4).count());
            assertThat(committed)
                    .as("committed predictions per image")
                    .hasSize(ids.size())
                    .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
            assertThat(tail)
                    .as("the last images carry the version adopted before the second outage")
                    .allSatisfy(id -> assertThat(versions.get(id)).as(id).isEqualTo(4));
            assertThat(scorer.log())
                    .as("the scorer never restarted its stream thread")
                    .doesNotContain("replacing it");
        } finally {
            scorer.stop();
        }
    }

    @Test
    @Timeout(420)
    void shouldRefuseToStartWithoutTheRegistryAndKeepScoringWhileItIsDown() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<Path> files = DemoModel.extractDemoImages(temp.resolve("images"));
        Path root = files.get(0).getParent();

        STACK.stopServer(StackComponent.REGISTRY);
        CliProcess refused = startScorer(fixture, root, "scorer-without-registry");
        assertThat(refused.awaitExit(Duration.ofSeconds(60))).isEqualTo(CliException.REGISTRY_UNREACHABLE);
        assertThat(refused.log()).contains("Couldn't reach the schema registry at " + STACK.registryUrl());
        STACK.startServer(StackComponent.REGISTRY);

        CliProcess scorer = startScorer(fixture, root, "scorer");
        try (ImagePublisher strays = new ImagePublisher(
                fixture.clientProperties(), serdes, fixture.topics().name(TopicRole.IMAGES))) {
            scorer.awaitScoring();
            // Publishing once caches the ImageRef schema id in this publisher, so it can publish while the registry is
            // down.
            strays.publish(DemoImageIds.numbered(files, 0, "before-outage")).get();
            ImageRef missing = ImageRef.newBuilder()
                    .setId("missing-during-outage")
                    .setUri(root.resolve("missing.png").toUri().toString())
                    .setSource("outage-it")
                    .setEventTime(Instant.now())
                    .build();
            List<String> ids;
            try (SteadyStream stream =
                    SteadyStream.start(fixture, serdes, files, 150, PUBLISH_INTERVAL, "registry-out")) {
                await().atMost(Duration.ofSeconds(60)).until(() -> stream.published() >= 30);
                STACK.stopServer(StackComponent.REGISTRY);
                int before = stream.published();
                // A dead letter needs the DeadLetter schema, which this scorer has not written before.
                strays.publish(missing).get();
                Thread.sleep(OUTAGE.toMillis());
                int during = stream.published() - before;
                STACK.startServer(StackComponent.REGISTRY);
                ids = stream.awaitAll(Duration.ofSeconds(240));
                System.out.printf(
                        "OutageIT: %d images published during the %d s registry outage%n", during, OUTAGE.toSeconds());
                assertThat(during)
                        .as("images published while the registry was down")
                        .isPositive();
            }

            Map<String, Integer> committed = awaitCommittedPredictions(fixture, serdes, ids, new HashMap<>());
            Map<String, List<String>> deadLetters = new HashMap<>();
            await("the dead letter of the missing file")
                    .atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> {
                        deadLetters.clear();
                        deadLetters.putAll(CliProcess.deadLetters(fixture, serdes));
                        assertThat(deadLetters).containsKey(missing.getId().toString());
                    });
            long replaced = scorer.log()
                    .lines()
                    .filter(line -> line.contains("Stream thread failed; replacing it"))
                    .count();
            System.out.printf(
                    "OutageIT: registry outage of %d s: %d of %d images with one committed prediction, "
                            + "dead letters %s, stream thread replaced %d times%n",
                    OUTAGE.toSeconds(),
                    ids.stream().filter(id -> committed.get(id) == 1).count(),
                    ids.size(),
                    deadLetters,
                    replaced);
            assertThat(committed)
                    .as("committed predictions per image")
                    .containsKeys(ids.toArray(String[]::new))
                    .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
            assertThat(deadLetters).containsOnlyKeys(missing.getId().toString());
            assertThat(deadLetters.get(missing.getId().toString())).containsExactly("NOT_FOUND");
            assertThat(scorer.isAlive()).as("the scorer rode out the outage").isTrue();
        } finally {
            scorer.stop();
        }
    }

    /**
     * The training worker through a broker outage in the middle of a refit: its features, its announcement and its
     * labeled-set stream all wait for the broker, and the version is announced once when it is back.
     */
    @Test
    @Timeout(420)
    void shouldHaveTheTrainingWorkerAnnounceItsVersionOnceAcrossABrokerRestartMidRefit() throws Exception {
        TopicCatalog topics = ScoringFixture.createTopics(STACK.bootstrapServers());
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<Path> files = DemoModel.extractDemoImages(temp.resolve("images"));
        Path base = temp.resolve("base.zip");
        // Untrained: this test is about delivery, not accuracy.
        ModelSerializer.writeModel(
                SmallCnn.build(1, DemoModel.IMAGE_SIDE, DemoModel.IMAGE_SIDE, 5, 3, DemoModel.NETWORK),
                base.toFile(),
                false);
        Properties settings = new Properties();
        settings.setProperty(TrainingWorkerConfig.APPLICATION_ID_CONFIG, "outage-training-" + UUID.randomUUID());
        settings.setProperty(TrainingWorkerConfig.MODEL_NAME_CONFIG, WORKER_MODEL);
        settings.setProperty(
                TrainingWorkerConfig.MODEL_STORE_CONFIG, temp.resolve("models").toString());
        settings.setProperty(TrainingWorkerConfig.BASE_PRESET_CONFIG, "network");
        settings.setProperty(TrainingWorkerConfig.BASE_WEIGHTS_CONFIG, base.toString());
        settings.setProperty(TrainingWorkerConfig.BASE_LAYER_CONFIG, SmallCnn.POOL2);
        settings.setProperty(TrainingWorkerConfig.BASE_NAME_CONFIG, "outage-conv");
        settings.setProperty(TrainingWorkerConfig.BASE_INPUT_CONFIG, "28x28x1");
        settings.setProperty(TrainingWorkerConfig.BASE_SCALING_CONFIG, PixelScaling.UNIT.name());
        settings.setProperty(TrainingWorkerConfig.REFIT_EVERY_LABELS_CONFIG, "40");
        settings.setProperty(TrainingWorkerConfig.HEAD_EPOCHS_CONFIG, "200");
        settings.setProperty(TrainingWorkerConfig.METRICS_JMX_ENABLED_CONFIG, "false");
        settings.setProperty(TrainingWorkerConfig.METRICS_PROMETHEUS_PORT_CONFIG, "-1");
        settings.setProperty(
                FetchSettings.ALLOWED_ROOTS_CONFIG, files.get(0).getParent().toString());
        for (TopicRole role : TopicRole.values()) {
            settings.setProperty(TrainingWorkerConfig.TOPIC_NAME_PREFIX + role.defaultName(), topics.name(role));
        }
        Path config = temp.resolve("worker.properties");
        try (Writer writer = Files.newBufferedWriter(config)) {
            settings.store(writer, "training worker through a broker outage");
        }
        CliProcess worker = CliProcess.start(
                "train",
                config,
                STACK.bootstrapServers(),
                STACK.registryUrl(),
                temp,
                "worker",
                temp.resolve("worker-state"));
        try (KafkaProducer<String, SpecificRecord> feedback = new KafkaProducer<>(
                ScoringFixture.clientProperties(STACK.bootstrapServers()),
                new StringSerializer(),
                serdes.valueSerializer())) {
            worker.awaitOutput("Training '" + WORKER_MODEL + "'", Duration.ofSeconds(120));
            List<String> classes = DemoModel.classes();
            for (int i = 0; i < 40; i++) {
                Path file = files.get(i % files.size());
                String id = "outage-label-" + i;
                feedback.send(new ProducerRecord<>(
                        topics.name(TopicRole.FEEDBACK),
                        id,
                        LabelFeedback.newBuilder()
                                .setImageId(id)
                                .setUri(file.toUri().toString())
                                .setLabel(classes.get(i % 3))
                                .setLabeler("outage-it")
                                .setTime(Instant.now())
                                .setSplit(SplitHint.ANY)
                                .build()));
            }
            feedback.flush();
            worker.awaitOutput("refit " + WORKER_MODEL + " v1:", Duration.ofSeconds(120));
            STACK.stopServer(StackComponent.BROKER);
            boolean announcedBeforeOutage = worker.log().contains("v1 holdout accuracy");
            Thread.sleep(OUTAGE.toMillis());
            STACK.startServer(StackComponent.BROKER);
            worker.awaitOutput("v1 holdout accuracy", Duration.ofSeconds(180));

            Map<String, Integer> history = new HashMap<>();
            TopicRecords.readToEnd(
                    ScoringFixture.clientProperties(STACK.bootstrapServers()),
                    serdes,
                    topics.name(TopicRole.MODEL_VERSIONS),
                    "read_committed",
                    (String key, ModelVersion version) -> history.merge(key, 1, Integer::sum));
            System.out.printf(
                    "OutageIT: broker stopped %d s during a refit (v1 announced %s the broker went down); "
                            + "committed control records %s%n",
                    OUTAGE.toSeconds(), announcedBeforeOutage ? "before" : "after", history);
            assertThat(history)
                    .containsEntry(ModelVersionKeys.history(WORKER_MODEL, 1), 1)
                    .containsEntry(ModelVersionKeys.current(WORKER_MODEL), 1);
            assertThat(worker.isAlive()).as("the worker rode out the outage").isTrue();
        } finally {
            worker.stop();
        }
    }

    private void restartBroker() throws InterruptedException {
        STACK.stopServer(StackComponent.BROKER);
        Thread.sleep(OUTAGE.toMillis());
        STACK.startServer(StackComponent.BROKER);
    }

    private CliProcess startScorer(ScoringFixture fixture, Path root, String name) throws Exception {
        Path config = CliProcess.writeConfig(
                fixture,
                root,
                temp.resolve(name + ".properties"),
                Map.of(ScorerConfig.BATCH_SIZE_CONFIG, "8", ScorerConfig.BATCH_LINGER_MS_CONFIG, "50"));
        return CliProcess.startScorer(config, STACK, temp, name);
    }

    private static Map<String, Integer> awaitCommittedPredictions(
            ScoringFixture fixture, RegistrySerdes serdes, List<String> ids, Map<String, Integer> versions) {
        Map<String, Integer> committed = new HashMap<>();
        await("a committed prediction for every image")
                .atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    committed.clear();
                    committed.putAll(CliProcess.countPredictions(fixture, serdes, "read_committed", versions));
                    assertThat(committed.keySet()).containsAll(ids);
                });
        return committed;
    }
}
