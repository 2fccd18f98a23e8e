package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.demo.DemoModel;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.topology.ScorerConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean stop hands the stopped scorer's partitions over at once, as on every rolling restart: two {@code imgstream
 * score} processes at Kafka's default session timeout of 45 s, both holding partitions; one gets SIGTERM, and the
 * images published right after it get their predictions from the other long before the session timeout could have
 * expired. Kafka Streams left alone stays in the group on close, and those partitions would wait the 45 s (48.7 s
 * measured); a shutdown hook that did not wait for the close would have the JVM halt in the middle of it.
 */
@Tag("integration")
class CleanStopHandoverIT {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(45);
    private static final Duration HANDOVER_LIMIT = Duration.ofSeconds(25);
    /** Enough images that every one of the three input partitions gets some. */
    private static final int IMAGES = 30;

    @TempDir
    Path temp;

    @Test
    @Timeout(300)
    void shouldHandTheStoppedScorersPartitionsOverWellWithinTheSessionTimeout() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<Path> files = DemoModel.extractDemoImages(temp.resolve("images"));
        Path config = CliProcess.writeConfig(
                fixture,
                files.get(0).getParent(),
                temp.resolve("scorer.properties"),
                Map.of(
                        "kafka.session.timeout.ms",
                        String.valueOf(SESSION_TIMEOUT.toMillis()),
                        "kafka.heartbeat.interval.ms",
                        "3000"));
        String applicationId = applicationId(config);
        List<CliProcess> scorers = List.of(
                CliProcess.startScorer(config, STACK, temp, "scorer-a"),
                CliProcess.startScorer(config, STACK, temp, "scorer-b"));
        try (Admin admin = Admin.create(fixture.clientProperties());
                ImagePublisher publisher = new ImagePublisher(
                        fixture.clientProperties(), serdes, fixture.topics().name(TopicRole.IMAGES))) {
            scorers.forEach(CliProcess::awaitScoring);
            await("both scorers holding partitions")
                    .atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> assertThat(members(admin, applicationId))
                            .hasSize(2)
                            .allSatisfy(member -> assertThat(member.assignment().topicPartitions())
                                    .isNotEmpty()));
            List<String> before = DemoImageIds.publishAll(publisher, files, IMAGES, "before");
            awaitPredictions(fixture, serdes, before, Duration.ofSeconds(120));

            long stopped = System.nanoTime();
            scorers.get(0).stop();
            assertThat(scorers.get(0).isAlive()).isFalse();
            // The JVM halts when its shutdown hooks return; the close finished only if the hook waited for it.
            assertThat(scorers.get(0).log()).contains("Scorer closed");
            List<String> after = DemoImageIds.publishAll(publisher, files, IMAGES, "after");
            awaitPredictions(fixture, serdes, after, SESSION_TIMEOUT.plusSeconds(60));
            Duration handover = Duration.ofNanos(System.nanoTime() - stopped);
            System.out.printf(
                    "CleanStopHandoverIT: predictions for all %d images published after the stop %.1f s after "
                            + "it (session timeout %d s)%n",
                    IMAGES, handover.toMillis() / 1e3, SESSION_TIMEOUT.toSeconds());
            assertThat(handover).isLessThan(HANDOVER_LIMIT);
            assertThat(members(admin, applicationId)).hasSize(1);
        } finally {
            for (CliProcess scorer : scorers) {
                scorer.stop();
            }
        }
    }

    private static String applicationId(Path config) throws Exception {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(config)) {
            props.load(reader);
        }
        return props.getProperty(ScorerConfig.APPLICATION_ID_CONFIG);
    }

    private static List<MemberDescription> members(Admin admin, String group) throws Exception {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                .describedGroups()
                .get(group)
                .get();
        return List.copyOf(description.members());
    }

    private static void awaitPredictions(
            ScoringFixture fixture, RegistrySerdes serdes, List<String> ids, Duration atMost) {
        await("a committed prediction for every image")
                .atMost(atMost)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(
                        () -> assertThat(CliProcess.countPredictions(fixture, serdes, "read_committed", new HashMap<>())
                                        .keySet())
                                .containsAll(ids));
    }
}
