package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.demo.DemoModel;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.topology.ScorerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out on a real broker: three {@code imgstream score} processes with one application id share the three
 * input partitions. During a steady stream one is stopped and started again (two rebalances) and a new version is
 * promoted on the control topic. Every image gets exactly one committed prediction, and all instances, the
 * restarted one included, end on the new version.
 */
@Tag("integration")
class ScaleOutIT {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    private static final int IMAGES = 200;
    private static final int TAIL_IMAGES = 20;
    private static final Duration PUBLISH_INTERVAL = Duration.ofMillis(60);

    @TempDir
    Path temp;

    @Test
    @Timeout(420)
    void shouldShareThePartitionsLoseNothingAcrossRebalancesAndConvergeOnOneVersion() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<Path> files = DemoModel.extractDemoImages(temp.resolve("images"));
        Path config = CliProcess.writeConfig(
                fixture,
                files.get(0).getParent(),
                temp.resolve("scorer.properties"),
                Map.of(ScorerConfig.BATCH_SIZE_CONFIG, "8", ScorerConfig.BATCH_LINGER_MS_CONFIG, "50"));
        List<CliProcess> scorers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            scorers.add(CliProcess.startScorer(config, STACK, temp, "scorer-" + i));
        }
        try (ImagePublisher publisher = new ImagePublisher(
                        fixture.clientProperties(), serdes, fixture.topics().name(TopicRole.IMAGES));
                KafkaProducer<String, SpecificRecord> control = new KafkaProducer<>(
                        fixture.clientProperties(), new StringSerializer(), serdes.valueSerializer())) {
            long started = System.nanoTime();
            scorers.forEach(CliProcess::awaitScoring);
            // Where the time goes, for CI logs: this test has taken 56 s alone and 225 s inside the full build.
            phase("three scorers scoring", started);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < IMAGES - TAIL_IMAGES; i++) {
                ids.add(DemoImageIds.publish(publisher, files, i, "img"));
                if (i == 40) {
                    scorers.get(1).stop();
                }
                if (i == 80) {
                    StoredBundle v4 = fixture.saveVersion(4, 11);
                    control.send(new ProducerRecord<>(
                                    fixture.topics().name(TopicRole.MODEL_VERSIONS),
                                    ModelVersionKeys.current(ScoringFixture.MODEL_NAME),
                                    ScoringFixture.announce(v4, ModelStatus.PROMOTED, v4.sha256())))
                            .get();
                }
                if (i == 120) {
                    scorers.set(1, CliProcess.startScorer(config, STACK, temp, "scorer-1-restarted"));
                }
                Thread.sleep(PUBLISH_INTERVAL.toMillis());
            }
            phase("published " + ids.size() + " images", started);
            scorers.get(1).awaitScoring();
            phase("the restarted scorer scoring", started);
            await("every instance on v4").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (CliProcess scorer : scorers) {
                    assertThat(scorer.log()).containsAnyOf("Model it-model v4 ready", "Starting on it-model v4");
                }
            });
            phase("every instance on v4", started);
            List<String> tail = new ArrayList<>();
            for (int i = IMAGES - TAIL_IMAGES; i < IMAGES; i++) {
                tail.add(DemoImageIds.publish(publisher, files, i, "img"));
            }
            ids.addAll(tail);

            Map<String, Integer> versions = new HashMap<>();
            Map<String, Integer> committed = new HashMap<>();
            await("a committed prediction for every image")
                    .atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        committed.clear();
                        committed.putAll(CliProcess.countPredictions(fixture, serdes, "read_committed", versions));
                        assertThat(committed.keySet()).containsAll(ids);
                    });
            phase("a committed prediction for every image", started);
            assertThat(committed)
                    .as("committed predictions per image")
                    .hasSize(IMAGES)
                    .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
            assertThat(tail)
                    .as("images published after every instance adopted v4")
                    .allSatisfy(id -> assertThat(versions.get(id)).as(id).isEqualTo(4));
            System.out.printf(
                    "ScaleOutIT: %d images over 3 instances with one stop and restart: %d committed "
                            + "predictions, %d on v3 and %d on v4%n",
                    IMAGES,
                    committed.size(),
                    versions.values().stream()
                            .filter(v -> v == ScoringFixture.MODEL_VERSION)
                            .count(),
                    versions.values().stream().filter(v -> v == 4).count());
        } finally {
            for (CliProcess scorer : scorers) {
                scorer.stop();
            }
        }
    }

    private static void phase(String what, long started) {
        System.out.printf("ScaleOutIT: %s after %.1f s%n", what, (System.nanoTime() - started) / 1e9);
    }
}
