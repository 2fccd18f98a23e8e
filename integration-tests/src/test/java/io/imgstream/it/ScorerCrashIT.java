package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.cli.publish.ImagePublisher;
import io.imgstream.model.demo.DemoModel;
import io.imgstream.schemas.ImageRefs;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.topology.ScorerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once through crashes, on a real broker: images stream in while the scorer, a separate
 * {@code imgstream score} process, is killed with SIGKILL several times at random moments (mid-batch, mid-commit,
 * mid-restore) and restarted. At the end every image has exactly one committed prediction.
 *
 * <p>Expected state of the predictions topic after each kill (per partition):
 * <pre>
 *   p-n: ---> committed predictions + C + predictions of the open transaction (aborted, never read committed)
 * </pre>
 * Those aborted writes are scored again by the next instance from the restored pending store, so the
 * uncommitted view may hold duplicates while the committed view holds none.
 */
@Tag("integration")
class ScorerCrashIT {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    private static final int IMAGES = 300;
    private static final int KILLS = 3;
    // Publishing outlasts the three kills (about 30 s), so every kill finds images in flight.
    private static final Duration PUBLISH_INTERVAL = Duration.ofMillis(100);

    @TempDir
    Path temp;

    @Test
    @Timeout(400)
    void shouldGiveEveryImageExactlyOneCommittedPredictionWhenTheScorerIsKilledRepeatedly() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<Path> files = DemoModel.extractDemoImages(temp.resolve("images"));
        Path config = CliProcess.writeConfig(fixture, files.get(0).getParent(), temp.resolve("scorer.properties"),
                Map.of(ScorerConfig.BATCH_SIZE_CONFIG, "8", ScorerConfig.BATCH_LINGER_MS_CONFIG, "50",
                        // Long transactions: a kill at any moment finds predictions written but not committed.
                        "kafka.commit.interval.ms", "1500"));
        List<String> ids = new ArrayList<>();
        Random random = new Random(42);

        Thread producer = new Thread(() -> publishSlowly(fixture, serdes, files, ids), "crash-it-producer");
        producer.start();
        CliProcess scorer = start(config, 0);
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                scorer.awaitScoring();
                Thread.sleep(500 + random.nextInt(2_500));
                scorer.kill();
                scorer = start(config, kill);
            }
            producer.join(Duration.ofSeconds(120).toMillis());
            assertThat(ids).hasSize(IMAGES);

            Map<String, Integer> committed = new HashMap<>();
            await("a committed prediction for every image").atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        committed.clear();
                        committed.putAll(CliProcess.countPredictions(fixture, serdes, "read_committed", new HashMap<>()));
                        assertThat(committed.keySet()).containsAll(ids);
                    });
            Map<String, Integer> uncommitted = CliProcess.countPredictions(fixture, serdes, "read_uncommitted",
                    new HashMap<>());
            long aborted = uncommitted.values().stream().mapToLong(Integer::longValue).sum()
                    - committed.values().stream().mapToLong(Integer::longValue).sum();
            System.out.printf("ScorerCrashIT: %d images, %d kills: %d committed predictions, %d more written in "
                    + "aborted transactions%n", ids.size(), KILLS, committed.size(), aborted);
            assertThat(aborted).as("predictions written in transactions the kills cut off").isPositive();
            assertThat(committed).as("committed predictions per image").hasSize(IMAGES)
                    .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
        } finally {
            scorer.stop();
            producer.interrupt();
        }
    }

    private CliProcess start(Path config, int generation) throws IOException {
        // Every generation reuses the state directory a killed one left behind, as a restarted pod would.
        return CliProcess.start("score", config, STACK.bootstrapServers(), STACK.registryUrl(), temp, "scorer-" + generation,
                temp.resolve("state"));
    }

    private void publishSlowly(ScoringFixture fixture, RegistrySerdes serdes, List<Path> files, List<String> ids) {
        try (ImagePublisher publisher = new ImagePublisher(fixture.clientProperties(), serdes,
                fixture.topics().name(TopicRole.IMAGES))) {
            for (int i = 0; i < IMAGES; i++) {
                ImageRef ref = ImageRefs.of(files.get(i % files.size()), false, "crash-it", Instant.now());
                ImageRef unique = ImageRef.newBuilder(ref).setId("img-" + i + "-" + ref.getId()).build();
                publisher.publish(unique).get();
                synchronized (ids) {
                    ids.add(unique.getId());
                }
                Thread.sleep(PUBLISH_INTERVAL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("publishing failed", e);
        }
    }
}
