package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.cli.publish.ImagePublisher;
import io.imgstream.cli.publish.ImageRefs;
import io.imgstream.cli.stack.TopicProvisioner;
import io.imgstream.cli.tail.TopicTail;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.demo.DemoModel;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.ScorerApp;
import io.imgstream.topology.ScorerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
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

    private static final int MODEL_VERSION = 3;
    private static final String MODEL_NAME = "e2e-model";

    @TempDir
    Path temp;

    /** Broker address of the environment under test. */
    protected abstract String bootstrapServers();

    /** Registry base URL of the environment under test. */
    protected abstract String registryUrl();

    @Test
    @Timeout(300)
    void shouldGiveEachImageExactlyOnePredictionWithTheBundleVersionAndDeadLetterBadInput() throws Exception {
        TopicCatalog topics = freshTopics();
        StoredBundle bundle = storeUntrainedBundle();
        List<Path> images = DemoModel.extractDemoImages(temp.resolve("images"));
        Path root = images.get(0).getParent();
        assertThat(images).extracting(p -> p.getFileName().toString().replaceAll(".*\\.", ""))
                .contains("png", "jpg");

        List<ImageRef> good = new ArrayList<>();
        for (Path image : images) {
            good.add(ImageRefs.of(image, false, "e2e", Instant.now()));
        }
        good.add(ImageRefs.of(images.get(0), true, "e2e", Instant.now()));
        good.set(good.size() - 1, ImageRef.newBuilder(good.get(good.size() - 1)).setId("inline-copy").build());
        Path text = Files.writeString(root.resolve("text.jpg"), "not a jpeg", StandardCharsets.UTF_8);
        List<ImageRef> bad = List.of(
                ref("missing", root.resolve("missing.png").toUri().toString()),
                ImageRefs.of(text, false, "e2e", Instant.now()),
                ref("ftp-ref", "ftp://127.0.0.1/cat.png"));
        byte[] garbage = {0x13, 0x37, 0x00, 0x42};

        Map<String, List<Prediction>> predictions = new ConcurrentHashMap<>();
        List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
        RegistrySerdes serdes = RegistrySerdes.forRegistry(registryUrl());
        try (ScorerApp scorer = ScorerApp.start(scorerConfig(topics, bundle, root));
             TopicTail results = new TopicTail(clientProperties(), serdes,
                     List.of(topics.name(TopicRole.PREDICTIONS), topics.name(TopicRole.IMAGES_DLQ)), true)) {
            assertThat(scorer.awaitRunning(Duration.ofSeconds(90))).as("scorer state %s", scorer.state()).isTrue();
            try (ImagePublisher publisher = new ImagePublisher(clientProperties(), serdes, topics.name(TopicRole.IMAGES))) {
                good.forEach(publisher::publish);
                bad.forEach(publisher::publish);
            }
            try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(clientProperties(), new StringSerializer(),
                    new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topics.name(TopicRole.IMAGES), "garbage", garbage)).get();
            }

            await("a result for every image").atMost(Duration.ofSeconds(120)).pollDelay(Duration.ZERO).untilAsserted(() -> {
                results.follow(Long.MAX_VALUE, Duration.ofMillis(500), record -> {
                    if (record.value() instanceof Prediction p) {
                        predictions.computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>()).add(p);
                    } else {
                        deadLetters.add((DeadLetter) record.value());
                    }
                }, problem -> {
                    throw new AssertionError("undecodable output record " + problem);
                });
                assertThat(predictions.keySet()).hasSize(good.size());
                assertThat(deadLetters).hasSize(bad.size() + 1);
            });
            // Anything written twice would be committed by now; read on a little to see it.
            results.follow(Long.MAX_VALUE, Duration.ofSeconds(3), record -> {
                if (record.value() instanceof Prediction p) {
                    predictions.computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>()).add(p);
                } else {
                    deadLetters.add((DeadLetter) record.value());
                }
            }, problem -> { });
        }

        assertThat(predictions.keySet()).containsExactlyInAnyOrderElementsOf(good.stream().map(ImageRef::getId).toList());
        assertThat(predictions.values()).allSatisfy(list -> assertThat(list).hasSize(1));
        assertThat(predictions.values().stream().map(list -> list.get(0)).toList()).allSatisfy(p -> {
            assertThat(p.getModelName()).isEqualTo(MODEL_NAME);
            assertThat(p.getModelVersion()).isEqualTo(MODEL_VERSION);
            assertThat(p.getProbabilities()).hasSize(DemoModel.classes().size());
            assertThat(p.getTopK()).isNotEmpty();
        });
        Map<String, DeadLetterReason> reasons = deadLetters.stream()
                .collect(Collectors.toMap(DeadLetter::getImageId, DeadLetter::getReason));
        assertThat(reasons).containsOnly(
                Map.entry("missing", DeadLetterReason.NOT_FOUND),
                Map.entry(bad.get(1).getId(), DeadLetterReason.UNSUPPORTED_FORMAT),
                Map.entry("ftp-ref", DeadLetterReason.SCHEME_NOT_ALLOWED),
                Map.entry("garbage", DeadLetterReason.MALFORMED_RECORD));
        DeadLetter garbageLetter = deadLetters.stream().filter(d -> d.getImageId().equals("garbage")).findFirst().orElseThrow();
        assertThat(garbageLetter.getOriginalValue().array()).isEqualTo(garbage);
        assertThat(garbageLetter.getSourceTopic()).isEqualTo(topics.name(TopicRole.IMAGES));
    }

    private TopicCatalog freshTopics() throws Exception {
        String suffix = "-" + UUID.randomUUID().toString().substring(0, 8);
        Map<TopicRole, String> names = new EnumMap<>(TopicRole.class);
        for (TopicRole role : TopicRole.values()) {
            names.put(role, role.defaultName() + suffix);
        }
        TopicCatalog topics = TopicCatalog.withNames(names);
        try (Admin admin = Admin.create(clientProperties())) {
            TopicProvisioner.createAll(admin, topics, 3, (short) 1, Duration.ofSeconds(30));
        }
        return topics;
    }

    /** Untrained weights are enough here: this test is about delivery, not accuracy. */
    private StoredBundle storeUntrainedBundle() {
        List<String> classes = DemoModel.classes();
        BundleManifest manifest = BundleManifest.create(MODEL_NAME, MODEL_VERSION, classes, DemoModel.BASE_MODEL_ID,
                DemoModel.PREPROCESSING, Instant.now(), Map.of(), null);
        ModelBundle bundle = ModelBundle.of(manifest, SmallCnn.build(1, DemoModel.IMAGE_SIDE, DemoModel.IMAGE_SIDE,
                classes.size(), 7));
        return new FileSystemModelStore(temp.resolve("models")).save(bundle);
    }

    private ScorerConfig scorerConfig(TopicCatalog topics, StoredBundle bundle, Path root) {
        Map<String, Object> props = new HashMap<>();
        props.put(ScorerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ScorerConfig.REGISTRY_URL_CONFIG, registryUrl());
        props.put(ScorerConfig.APPLICATION_ID_CONFIG, "e2e-" + UUID.randomUUID());
        props.put(ScorerConfig.STATE_DIR_CONFIG, temp.resolve("streams").toString());
        props.put(ScorerConfig.MODEL_BUNDLE_CONFIG, Path.of(bundle.uri()).toString());
        props.put(ScorerConfig.MODEL_BUNDLE_SHA256_CONFIG, bundle.sha256());
        props.put(ScorerConfig.FETCH_ALLOWED_ROOTS_CONFIG, root.toString());
        for (TopicRole role : TopicRole.values()) {
            props.put(ScorerConfig.TOPIC_NAME_PREFIX + role.defaultName(), topics.name(role));
        }
        return new ScorerConfig(props);
    }

    private Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    private static ImageRef ref(String id, String uri) {
        return ImageRef.newBuilder().setId(id).setUri(uri).setSource("e2e").setEventTime(Instant.now()).build();
    }
}
