package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.clients.tail.TopicTail;
import io.imgstream.demo.DemoModel;
import io.imgstream.schemas.ImageRefs;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.ScorerApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first end-to-end guarantee, on a real broker and a real registry: real JPEG and PNG images published
 * as references come back as exactly one Avro prediction each, carrying the bundle's model version, and bad
 * input comes back as dead letters with the right reasons. Subclasses say where the broker runs.
 */
@Tag("integration")
abstract class EndToEndScoringContract {

    @TempDir
    Path temp;

    /** Broker address of the environment under test. */
    protected abstract String bootstrapServers();

    /** Registry base URL of the environment under test. */
    protected abstract String registryUrl();

    @Test
    @Timeout(300)
    void shouldGiveEachImageExactlyOnePredictionWithTheBundleVersionAndDeadLetterBadInput() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(bootstrapServers(), registryUrl(), temp);
        TopicCatalog topics = fixture.topics();
        List<Path> images = DemoModel.extractDemoImages(temp.resolve("images"));
        Path root = images.get(0).getParent();
        assertThat(images)
                .extracting(p -> p.getFileName().toString().replaceAll(".*\\.", ""))
                .contains("png", "jpg");

        List<ImageRef> good = new ArrayList<>();
        for (Path image : images) {
            good.add(ImageRefs.of(image, false, "e2e", Instant.now()));
        }
        good.add(ImageRefs.of(images.get(0), true, "e2e", Instant.now()));
        good.set(
                good.size() - 1,
                ImageRef.newBuilder(good.get(good.size() - 1))
                        .setId("inline-copy")
                        .build());
        Path text = Files.writeString(root.resolve("text.jpg"), "not a jpeg", StandardCharsets.UTF_8);
        List<ImageRef> bad = List.of(
                ref("missing", root.resolve("missing.png").toUri().toString()),
                ImageRefs.of(text, false, "e2e", Instant.now()),
                ref("ftp-ref", "ftp://127.0.0.1/cat.png"));
        byte[] garbage = {0x13, 0x37, 0x00, 0x42};

        Map<String, List<Prediction>> predictions = new ConcurrentHashMap<>();
        List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        RegistrySerdes serdes = RegistrySerdes.forRegistry(registryUrl());
        try (ScorerApp scorer = ScorerApp.start(fixture.scorerConfig(root));
                TopicTail results = new TopicTail(
                        fixture.clientProperties(),
                        serdes,
                        List.of(topics.name(TopicRole.PREDICTIONS), topics.name(TopicRole.IMAGES_DLQ)),
                        true)) {
            assertThat(scorer.awaitRunning(Duration.ofSeconds(90)))
                    .as("scorer state %s", scorer.state())
                    .isTrue();
            try (ImagePublisher publisher =
                    new ImagePublisher(fixture.clientProperties(), serdes, topics.name(TopicRole.IMAGES))) {
                good.forEach(publisher::publish);
                bad.forEach(publisher::publish);
            }
            try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(
                    fixture.clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topics.name(TopicRole.IMAGES), "garbage", garbage))
                        .get();
            }

            await("a result for every image")
                    .atMost(Duration.ofSeconds(120))
                    .pollDelay(Duration.ZERO)
                    .untilAsserted(() -> {
                        results.follow(
                                Long.MAX_VALUE,
                                Duration.ofMillis(500),
                                record -> {
                                    if (record.value() instanceof Prediction p) {
                                        predictions
                                                .computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>())
                                                .add(p);
                                    } else {
                                        deadLetters.add((DeadLetter) record.value());
                                    }
                                },
                                problem -> {
                                    throw new AssertionError("undecodable output record " + problem);
                                });
                        assertThat(predictions.keySet()).hasSize(good.size());
                        assertThat(deadLetters).hasSize(bad.size() + 1);
                    });
            // Anything written twice would be committed by now; read on a little to see it.
            results.follow(
                    Long.MAX_VALUE,
                    Duration.ofSeconds(3),
                    record -> {
                        if (record.value() instanceof Prediction p) {
                            predictions
                                    .computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>())
                                    .add(p);
                        } else {
                            deadLetters.add((DeadLetter) record.value());
                        }
                    },
                    problem -> {});
            assertThat(scrapeMetrics(scorer.prometheusPort()))
                    .contains("imgstream_scorer_images_scored_total " + (double) good.size())
                    .contains("imgstream_scorer_dead_letters_total " + (double) (bad.size() + 1))
                    .contains("imgstream_scorer_dead_letters_MALFORMED_RECORD_total 1.0")
                    .contains("imgstream_scorer_model_version " + (double) ScoringFixture.MODEL_VERSION);
        }

        assertThat(predictions.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        good.stream().map(ImageRef::getId).toList());
        assertThat(predictions.values()).allSatisfy(list -> assertThat(list).hasSize(1));
        assertThat(predictions.values().stream().map(list -> list.get(0)).toList())
                .allSatisfy(p -> {
                    assertThat(p.getModelName()).isEqualTo(ScoringFixture.MODEL_NAME);
                    assertThat(p.getModelVersion()).isEqualTo(ScoringFixture.MODEL_VERSION);
                    assertThat(p.getProbabilities()).hasSize(DemoModel.classes().size());
                    assertThat(p.getTopK()).isNotEmpty();
                });
        Map<String, DeadLetterReason> reasons =
                deadLetters.stream().collect(Collectors.toMap(DeadLetter::getImageId, DeadLetter::getReason));
        assertThat(reasons)
                .containsOnly(
                        Map.entry("missing", DeadLetterReason.NOT_FOUND),
                        Map.entry(bad.get(1).getId(), DeadLetterReason.UNSUPPORTED_FORMAT),
                        Map.entry("ftp-ref", DeadLetterReason.SCHEME_NOT_ALLOWED),
                        Map.entry("garbage", DeadLetterReason.MALFORMED_RECORD));
        DeadLetter garbageLetter = deadLetters.stream()
                .filter(d -> d.getImageId().equals("garbage"))
                .findFirst()
                .orElseThrow();
        assertThat(garbageLetter.getOriginalValue().array()).isEqualTo(garbage);
        assertThat(garbageLetter.getSourceTopic()).isEqualTo(topics.name(TopicRole.IMAGES));
    }

    private static String scrapeMetrics(int port) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .build();
        return HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static ImageRef ref(String id, String uri) {
        return ImageRef.newBuilder()
                .setId(id)
                .setUri(uri)
                .setSource("e2e")
                .setEventTime(Instant.now())
                .build();
    }
}
