package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.clients.tail.TopicTail;
import io.imgstream.images.FetchSettings;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.ScorerApp;
import io.imgstream.topology.ScorerConfig;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed bad-input corpus ({@code src/test/resources/bad-input}, see its README) and hostile references and
 * records, through a running scorer on a real broker: every input ends with exactly one outcome, a prediction or a
 * dead letter with the expected reason, and the scorer keeps going. Prints the counts by reason.
 */
@Tag("integration")
class BadInputCorpusIT {

    private static final String CORPUS = "/bad-input/";
    /** What each corpus file and each hostile input must come to: a reason, or "PREDICTION". */
    private static final Map<String, String> EXPECTED = Map.ofEntries(
            Map.entry("truncated.jpg", "UNDECODABLE"),
            Map.entry("truncated.png", "UNDECODABLE"),
            Map.entry("random-bytes.jpg", "UNSUPPORTED_FORMAT"),
            Map.entry("empty.png", "EMPTY"),
            Map.entry("bomb.png", "TOO_MANY_PIXELS"),
            Map.entry("cmyk.jpg", "PREDICTION"),
            Map.entry("gray16.png", "PREDICTION"),
            Map.entry("animated.gif", "PREDICTION"),
            Map.entry("traversal", "PATH_NOT_ALLOWED"),
            Map.entry("gopher", "SCHEME_NOT_ALLOWED"),
            Map.entry("missing", "NOT_FOUND"),
            Map.entry("inline-too-large", "TOO_LARGE"),
            Map.entry("no-magic-byte", "MALFORMED_RECORD"),
            Map.entry("unknown-schema-id", "MALFORMED_RECORD"),
            Map.entry("cut-short", "MALFORMED_RECORD"),
            Map.entry("after-cut-short", "PREDICTION"));

    private static final int MAX_BYTES = 64 * 1024;

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @TempDir
    Path temp;

    @Test
    @Timeout(240)
    void shouldGiveEveryBadInputOneOutcomeWithItsReason() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        Path root = Files.createDirectories(temp.resolve("corpus"));
        for (String name : EXPECTED.keySet()) {
            try (InputStream in = BadInputCorpusIT.class.getResourceAsStream(CORPUS + name)) {
                if (in != null) {
                    Files.copy(in, root.resolve(name));
                }
            }
        }
        Map<String, Object> props = new HashMap<>(fixture.scorerConfig(root).originals());
        props.put(FetchSettings.MAX_BYTES_CONFIG, MAX_BYTES);
        props.put(FetchSettings.MAX_PIXELS_CONFIG, 10_000_000L);
        try (ScorerApp scorer = ScorerApp.start(new ScorerConfig(props));
                ImagePublisher publisher = new ImagePublisher(
                        fixture.clientProperties(), serdes, fixture.topics().name(TopicRole.IMAGES));
                KafkaProducer<String, byte[]> raw = new KafkaProducer<>(
                        fixture.clientProperties(), new StringSerializer(), new ByteArraySerializer());
                TopicTail outcomes = new TopicTail(
                        fixture.clientProperties(),
                        serdes,
                        List.of(
                                fixture.topics().name(TopicRole.PREDICTIONS),
                                fixture.topics().name(TopicRole.IMAGES_DLQ)),
                        true)) {
            assertThat(scorer.awaitRunning(Duration.ofSeconds(90))).isTrue();
            for (String name : EXPECTED.keySet()) {
                if (Files.isRegularFile(root.resolve(name))) {
                    publisher
                            .publish(ref(name, root.resolve(name).toUri().toString()))
                            .get();
                }
            }
            publisher
                    .publish(ref("traversal", root.toUri() + "../../../etc/passwd"))
                    .get();
            publisher.publish(ref("gopher", "gopher://example.com/cat.png")).get();
            publisher
                    .publish(
                            ref("missing", root.resolve("not-there.png").toUri().toString()))
                    .get();
            publisher
                    .publish(ImageRef.newBuilder(ref("inline-too-large", "inline:"))
                            .setInlineBytes(ByteBuffer.wrap(new byte[MAX_BYTES + 1]))
                            .build())
                    .get();
            String images = fixture.topics().name(TopicRole.IMAGES);
            raw.send(new ProducerRecord<>(images, "no-magic-byte", "plain text".getBytes(StandardCharsets.UTF_8)))
                    .get();
            raw.send(new ProducerRecord<>(images, "unknown-schema-id", new byte[] {
                        0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3
                    }))
                    .get();
            // An ImageRef in the registry's wire format cut three bytes short, then a good one on the same
            // partition: the first must not pass for a registry outage and stall the partition behind it.
            byte[] whole = serdes.valueSerializer()
                    .serialize(
                            images,
                            ref("cut-short", root.resolve("cmyk.jpg").toUri().toString()));
            raw.send(new ProducerRecord<>(images, 0, "cut-short", Arrays.copyOf(whole, whole.length - 3)))
                    .get();
            raw.send(new ProducerRecord<>(
                            images,
                            0,
                            "after-cut-short",
                            serdes.valueSerializer()
                                    .serialize(
                                            images,
                                            ref(
                                                    "after-cut-short",
                                                    root.resolve("cmyk.jpg")
                                                            .toUri()
                                                            .toString()))))
                    .get();

            Map<String, String> actual = new TreeMap<>();
            Map<String, Integer> outcomesPerInput = new HashMap<>();
            await("an outcome for every input").atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                outcomes.follow(
                        Long.MAX_VALUE,
                        Duration.ofMillis(500),
                        record -> {
                            String outcome = record.value() instanceof Prediction
                                    ? "PREDICTION"
                                    : ((DeadLetter) record.value()).getReason().name();
                            actual.put(record.key(), outcome);
                            outcomesPerInput.merge(record.key(), 1, Integer::sum);
                        },
                        problem -> {});
                assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
            });
            Map<String, Integer> byReason = new TreeMap<>();
            actual.values().forEach(reason -> byReason.merge(reason, 1, Integer::sum));
            System.out.println("bad-input outcomes: " + actual);
            System.out.println("counts by outcome: " + byReason);
            assertThat(actual).containsExactlyInAnyOrderEntriesOf(EXPECTED);
            assertThat(outcomesPerInput.values()).as("one outcome per input").containsOnly(1);
            assertThat(scorer.state().isRunningOrRebalancing())
                    .as("the scorer goes on")
                    .isTrue();
        }
    }

    private static ImageRef ref(String id, String uri) {
        return ImageRef.newBuilder()
                .setId(id)
                .setUri(uri)
                .setSource("bad-input-it")
                .setEventTime(Instant.now())
                .build();
    }
}
