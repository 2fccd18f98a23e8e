package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.demo.DemoModel;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.topology.ScorerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.streams.StreamsConfig;
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
 *
 * <p>The same kills under {@code at_least_once} lose nothing either, but images scored since the last commit are
 * scored again after a kill: duplicates are expected there, and counted.
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
        Outcome outcome = killRepeatedly(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(outcome.aborted())
                .as("predictions written in transactions the kills cut off")
                .isPositive();
        assertThat(outcome.committed())
                .as("committed predictions per image")
                .hasSize(IMAGES)
                .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
    }

    /** What at_least_once promises, and what the README says of it: nothing lost, duplicates after a crash. */
    @Test
    @Timeout(400)
    void shouldLoseNoImageUnderAtLeastOnceWhenTheScorerIsKilledRepeatedly() throws Exception {
        Outcome outcome = killRepeatedly(StreamsConfig.AT_LEAST_ONCE);
        assertThat(outcome.committed())
                .as("predictions per image")
                .hasSize(IMAGES)
                .allSatisfy((id, count) -> assertThat(count).as(id).isPositive());
    }

    private Outcome killRepeatedly(String guarantee) throws Exception {
        Path dir = temp.resolve(guarantee);
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), dir);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<Path> files = DemoModel.extractDemoImages(dir.resolve("images"));
        Path config = CliProcess.writeConfig(
                fixture,
                files.get(0).getParent(),
                dir.resolve("scorer.properties"),
                Map.of(
                        ScorerConfig.BATCH_SIZE_CONFIG,
                        "8",
                        ScorerConfig.BATCH_LINGER_MS_CONFIG,
                        "50",
                        ScorerConfig.PROCESSING_GUARANTEE_CONFIG,
                        guarantee,
                        // Long commit intervals: a kill at any moment finds predictions written but not committed.
                        "kafka.commit.interval.ms",
                        "1500"));
        Random random = new Random(42);

        SteadyStream stream = SteadyStream.start(fixture, serdes, files, IMAGES, PUBLISH_INTERVAL, "img");
        CliProcess scorer = start(config, dir, 0);
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                scorer.awaitScoring();
                Thread.sleep(500 + random.nextInt(2_500));
                scorer.kill();
                scorer = start(config, dir, kill);
            }
            List<String> ids = stream.awaitAll(Duration.ofSeconds(120));

            Map<String, Integer> committed = new HashMap<>();
            await("a committed prediction for every image")
                    .atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        committed.clear();
                        committed.putAll(
                                CliProcess.countPredictions(fixture, serdes, "read_committed", new HashMap<>()));
                        assertThat(committed.keySet()).containsAll(ids);
                    });
            Map<String, Integer> uncommitted =
                    CliProcess.countPredictions(fixture, serdes, "read_uncommitted", new HashMap<>());
            long aborted = uncommitted.values().stream()
                            .mapToLong(Integer::longValue)
                            .sum()
                    - committed.values().stream().mapToLong(Integer::longValue).sum();
            System.out.printf(
                    "ScorerCrashIT %s: %d images, %d kills: %d images with a committed prediction, %d with "
                            + "more than one (%d extra predictions), %d more written in aborted transactions%n",
                    guarantee,
                    ids.size(),
                    KILLS,
                    committed.size(),
                    committed.values().stream().filter(count -> count > 1).count(),
                    committed.values().stream().mapToLong(count -> count - 1).sum(),
                    aborted);
            return new Outcome(committed, aborted);
        } finally {
            scorer.stop();
            stream.close();
        }
    }

    private record Outcome(Map<String, Integer> committed, long aborted) {}

    private CliProcess start(Path config, Path dir, int generation) throws IOException {
        // Every generation reuses the state directory a killed one left behind, as a restarted pod would.
        return CliProcess.start(
                "score",
                config,
                STACK.bootstrapServers(),
                STACK.registryUrl(),
                dir,
                "scorer-" + generation,
                dir.resolve("state"));
    }
}
