package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.connect.sink.PredictionsFileSinkConnector;
import io.imgstream.connect.source.ImageFolderSourceConnector;
import io.imgstream.demo.DemoModel;
import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.TransferExperiment;
import io.imgstream.schemas.ImageRefs;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.TopicSnapshot;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.SplitHint;
import io.imgstream.topology.ScorerApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connectors on a real Kafka Connect worker (standalone, in this JVM, on the stack's broker): a folder tree of
 * real Fashion-MNIST images in the recipes' layout goes through the source connector to {@code images} and
 * {@code feedback}, the scorer scores it, and the sink connector writes the predictions to JSON Lines files. The
 * worker stopped and started again on the same offsets sends nothing twice and picks up a file added meanwhile; a text
 * file named .jpg travels as a reference and is dead-lettered by the scorer as usual; and the sink's committed files
 * hold every prediction exactly once.
 */
@Tag("integration")
class ConnectorsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @TempDir
    Path temp;

    @Test
    @Timeout(300)
    void shouldCarryAFolderTreeThroughTheScorerIntoFiles() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        Path root = Files.createDirectories(temp.resolve("data"));
        Map<Path, String> expected = writeTree(root);
        Path sinkDir = temp.resolve("sink");
        Path bogus = root.resolve("validation").resolve("not-an-image.jpg");
        Files.writeString(bogus, "this is text, not a JPEG");
        Connect<?> connect = startWorker();
        try (ScorerApp scorer = ScorerApp.start(fixture.scorerConfig(root))) {
            assertThat(scorer.awaitRunning(Duration.ofSeconds(90))).isTrue();
            createConnectors(connect, fixture, root, sinkDir);

            Map<String, ImageRef> refs = awaitRefs(fixture, serdes, expected.size() + 1);
            Map<String, LabelFeedback> labels = TopicSnapshot.latestByKey(
                    fixture.clientProperties(),
                    serdes,
                    fixture.topics().name(TopicRole.FEEDBACK),
                    LabelFeedback.class,
                    Duration.ofSeconds(30));
            assertThat(labels).hasSize((int)
                    expected.values().stream().filter(l -> !l.isEmpty()).count());
            for (ImageRef ref : refs.values()) {
                Path file = Path.of(URI.create(ref.getUri().toString()));
                if (file.equals(bogus)) {
                    continue;
                }
                String label = expected.get(file);
                if (label.isEmpty()) {
                    assertThat(labels).doesNotContainKey(ref.getId().toString());
                } else {
                    LabelFeedback feedback = labels.get(ref.getId().toString());
                    assertThat(feedback.getLabel().toString()).isEqualTo(label);
                    assertThat(feedback.getSplit())
                            .isEqualTo(
                                    root.relativize(file).startsWith("train")
                                            ? SplitHint.TRAIN
                                            : root.relativize(file).startsWith("validation")
                                                    ? SplitHint.HOLDOUT
                                                    : SplitHint.ANY);
                }
            }

            // A new worker on the same offsets (a restart): the source sends only the file added meanwhile.
            connect.stop();
            connect.awaitStop();
            Path late = root.resolve("train").resolve("late.png");
            ImageIO.write(DemoModel.trainingSubset().image(0), "png", late.toFile());
            connect = startWorker();
            createConnectors(connect, fixture, root, sinkDir);
            await("the new file sent")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> countRecords(fixture, TopicRole.IMAGES) == expected.size() + 2);
            Thread.sleep(3_000);
            assertThat(countRecords(fixture, TopicRole.IMAGES))
                    .as("nothing sent twice")
                    .isEqualTo(expected.size() + 2);

            Set<String> scoredIds = new HashSet<>(refs.keySet());
            scoredIds.remove(ImageRefs.idOf(bogus));
            scoredIds.add(ImageRefs.idOf(late));
            await("every prediction in a committed file, once")
                    .atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> assertThat(committedLines(sinkDir).stream()
                                    .map(n -> n.get("imageId").asText())
                                    .toList())
                            .containsExactlyInAnyOrderElementsOf(scoredIds));
            assertThat(committedLines(sinkDir))
                    .allSatisfy(
                            line -> assertThat(line.get("version").asInt()).isEqualTo(ScoringFixture.MODEL_VERSION));
            Map<String, DeadLetter> deadLetters = TopicSnapshot.latestByKey(
                    fixture.clientProperties(),
                    serdes,
                    fixture.topics().name(TopicRole.IMAGES_DLQ),
                    DeadLetter.class,
                    Duration.ofSeconds(30));
            assertThat(deadLetters.keySet()).as("the text file dead-lettered").containsExactly(ImageRefs.idOf(bogus));
        } finally {
            connect.stop();
            connect.awaitStop();
        }
    }

    private void createConnectors(Connect<?> connect, ScoringFixture fixture, Path root, Path sinkDir)
            throws Exception {
        String rest = connect.rest().serverUrl().toString();
        create(
                rest,
                "folders",
                Map.of(
                        "connector.class",
                        ImageFolderSourceConnector.class.getName(),
                        "roots",
                        root.toString(),
                        "registry.url",
                        STACK.registryUrl(),
                        "poll.interval.ms",
                        "500",
                        "images.topic",
                        fixture.topics().name(TopicRole.IMAGES),
                        "feedback.topic",
                        fixture.topics().name(TopicRole.FEEDBACK),
                        "key.converter",
                        "org.apache.kafka.connect.storage.StringConverter",
                        "value.converter",
                        "org.apache.kafka.connect.converters.ByteArrayConverter"));
        create(
                rest,
                "predictions-files",
                Map.of(
                        "connector.class",
                        PredictionsFileSinkConnector.class.getName(),
                        "topics",
                        fixture.topics().name(TopicRole.PREDICTIONS),
                        "directory",
                        sinkDir.toString(),
                        "registry.url",
                        STACK.registryUrl(),
                        "format",
                        "jsonl",
                        "roll.bytes",
                        "4096",
                        "roll.interval.ms",
                        "1000",
                        "key.converter",
                        "org.apache.kafka.connect.storage.StringConverter",
                        "value.converter",
                        "org.apache.kafka.connect.converters.ByteArrayConverter"));
    }

    /** Fashion-MNIST test images in train/<class>, validation/<class>, <class>/ and flat at the root. */
    private static Map<Path, String> writeTree(Path root) throws Exception {
        LabeledImages test = IdxImages.read(
                Path.of(TransferExperiment.DEBIAN_DIRECTORY).resolve(TransferExperiment.TEST_IMAGES),
                Path.of(TransferExperiment.DEBIAN_DIRECTORY).resolve(TransferExperiment.TEST_LABELS));
        List<String> classes = DemoModel.classes();
        Map<Path, String> expected = new HashMap<>();
        for (int i = 0; i < 24; i++) {
            String label = classes.get(test.label(i)).replace('/', '-');
            Path folder = switch (i % 4) {
                case 0 -> root.resolve("train").resolve(label);
                case 1 -> root.resolve("validation").resolve(label);
                case 2 -> root.resolve(label);
                default -> root;
            };
            Files.createDirectories(folder);
            Path file = folder.resolve(String.format(Locale.ROOT, "t10k-%03d.%s", i, i % 2 == 0 ? "png" : "jpg"));
            ImageIO.write(test.image(i), i % 2 == 0 ? "png" : "jpg", file.toFile());
            expected.put(file, folder.equals(root) ? "" : label);
        }
        return expected;
    }

    private Connect<?> startWorker() throws Exception {
        Map<String, String> worker = new HashMap<>();
        worker.put("bootstrap.servers", STACK.bootstrapServers());
        worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        worker.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put(
                "offset.storage.file.filename", temp.resolve("connect.offsets").toString());
        worker.put("offset.flush.interval.ms", "500");
        worker.put("listeners", "http://127.0.0.1:0");
        worker.put("plugin.discovery", "only_scan");
        return new ConnectStandalone().startConnect(worker);
    }

    private static void create(String rest, String name, Map<String, String> config) throws Exception {
        String body = JSON.writeValueAsString(Map.of("name", name, "config", config));
        HttpResponse<String> response = request(rest, "POST", "/connectors", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        await(name + " running").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode status = JSON.readTree(request(rest, "GET", "/connectors/" + name + "/status", null)
                    .body());
            assertThat(status.at("/connector/state").asText()).isEqualTo("RUNNING");
            assertThat(status.get("tasks"))
                    .isNotEmpty()
                    .allSatisfy(t -> assertThat(t.get("state").asText()).isEqualTo("RUNNING"));
        });
    }

    private static HttpResponse<String> request(String rest, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(rest.replaceAll("/$", "") + path))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, ImageRef> awaitRefs(ScoringFixture fixture, RegistrySerdes serdes, int count) {
        Map<String, ImageRef> refs = new HashMap<>();
        await("image references").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            refs.clear();
            refs.putAll(TopicSnapshot.latestByKey(
                    fixture.clientProperties(),
                    serdes,
                    fixture.topics().name(TopicRole.IMAGES),
                    ImageRef.class,
                    Duration.ofSeconds(30)));
            assertThat(refs).hasSize(count);
        });
        return refs;
    }

    /** Offsets taken on a topic no transaction writes to (so every offset is a record). */
    private static long countRecords(ScoringFixture fixture, TopicRole role) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                fixture.clientProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer
                    .partitionsFor(fixture.topics().name(role))
                    .stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            return consumer.endOffsets(partitions).entrySet().stream()
                    .mapToLong(e -> e.getValue() - begin.get(e.getKey()))
                    .sum();
        }
    }

    private static List<JsonNode> committedLines(Path directory) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return lines;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".jsonl"))
                    .toList()) {
                for (String line : Files.readAllLines(file)) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        return lines;
    }
}
