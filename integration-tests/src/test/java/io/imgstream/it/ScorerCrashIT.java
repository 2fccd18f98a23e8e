package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.cli.publish.ImagePublisher;
import io.imgstream.cli.publish.ImageRefs;
import io.imgstream.model.demo.DemoModel;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.ScorerConfig;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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

    private static final int IMAGES = 240;
    private static final int KILLS = 3;
    private static final Duration PUBLISH_INTERVAL = Duration.ofMillis(80);

    @TempDir
    Path temp;

    @Test
    @Timeout(400)
    void shouldGiveEveryImageExactlyOneCommittedPredictionWhenTheScorerIsKilledRepeatedly() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<Path> files = DemoModel.extractDemoImages(temp.resolve("images"));
        Path config = writeConfig(fixture, files.get(0).getParent());
        List<String> ids = new ArrayList<>();
        Random random = new Random(42);

        Thread producer = new Thread(() -> publishSlowly(fixture, serdes, files, ids), "crash-it-producer");
        producer.start();
        Process scorer = startScorer(config, 0);
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                awaitScoring(scorer, kill - 1);
                Thread.sleep(500 + random.nextInt(2_500));
                scorer.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no close, no commit
                scorer = startScorer(config, kill);
            }
            producer.join(Duration.ofSeconds(120).toMillis());
            assertThat(ids).hasSize(IMAGES);

            Map<String, Integer> committed = new HashMap<>();
            await("a committed prediction for every image").atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        committed.clear();
                        committed.putAll(countPredictions(fixture, serdes, "read_committed"));
                        assertThat(committed.keySet()).containsAll(ids);
                    });
            Map<String, Integer> uncommitted = countPredictions(fixture, serdes, "read_uncommitted");
            long aborted = uncommitted.values().stream().mapToLong(Integer::longValue).sum()
                    - committed.values().stream().mapToLong(Integer::longValue).sum();
            System.out.printf("ScorerCrashIT: %d images, %d kills: %d committed predictions, %d more written in "
                    + "aborted transactions%n", ids.size(), KILLS, committed.size(), aborted);
            assertThat(committed).as("committed predictions per image").hasSize(IMAGES)
                    .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
        } finally {
            scorer.destroy();
            scorer.waitFor(60, TimeUnit.SECONDS);
            scorer.destroyForcibly();
            producer.interrupt();
        }
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

    private Path writeConfig(ScoringFixture fixture, Path root) throws IOException {
        Properties props = new Properties();
        fixture.scorerConfig(root).originals().forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
        props.remove(ScorerConfig.BOOTSTRAP_SERVERS_CONFIG);
        props.remove(ScorerConfig.REGISTRY_URL_CONFIG);
        props.setProperty(ScorerConfig.METRICS_PROMETHEUS_PORT_CONFIG, "-1");
        props.setProperty(ScorerConfig.BATCH_SIZE_CONFIG, "8");
        props.setProperty(ScorerConfig.BATCH_LINGER_MS_CONFIG, "50");
        // A killed member must leave the group quickly for the restarted one to get its partitions.
        props.setProperty("kafka.session.timeout.ms", "6000");
        props.setProperty("kafka.heartbeat.interval.ms", "1000");
        Path file = temp.resolve("scorer.properties");
        try (Writer writer = Files.newBufferedWriter(file)) {
            props.store(writer, "ScorerCrashIT");
        }
        return file;
    }

    private Process startScorer(Path config, int generation) throws IOException {
        Path home = Path.of(System.getProperty("imgstream.home"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx1g",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.imgstream.schemas.avro",
                "-cp", home.resolve("lib") + "/*", "io.imgstream.cli.ImgstreamCommand", "score",
                "--config", config.toString(),
                "--bootstrap-servers", STACK.bootstrapServers(), "--registry-url", STACK.registryUrl());
        builder.redirectErrorStream(true);
        builder.redirectOutput(temp.resolve("scorer-" + generation + ".log").toFile());
        return builder.start();
    }

    private void awaitScoring(Process scorer, int generation) {
        Path log = temp.resolve("scorer-" + generation + ".log");
        await("scorer " + generation + " running").atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(scorer.isAlive()).as("scorer %d alive; log:%n%s", generation, tail(log)).isTrue();
            assertThat(Files.readString(log)).contains("Scoring '");
        });
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static Map<String, Integer> countPredictions(ScoringFixture fixture, RegistrySerdes serdes,
                                                         String isolation) {
        Properties props = fixture.clientProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "crash-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        Deserializer<Prediction> values = serdes.valueDeserializer();
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(fixture.topics().name(TopicRole.PREDICTIONS)));
            int idlePolls = 0;
            while (idlePolls < 3) {
                var records = consumer.poll(Duration.ofMillis(700));
                idlePolls = records.isEmpty() ? idlePolls + 1 : 0;
                for (ConsumerRecord<String, byte[]> record : records) {
                    Prediction prediction = values.deserialize(record.topic(), record.headers(), record.value());
                    counts.merge(prediction.getImageId().toString(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
