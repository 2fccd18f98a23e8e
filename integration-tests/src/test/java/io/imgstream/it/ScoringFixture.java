package io.imgstream.it;

import io.imgstream.control.ModelAnnouncements;
import io.imgstream.demo.DemoModel;
import io.imgstream.images.FetchSettings;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.stack.TopicProvisioner;
import io.imgstream.topology.ScorerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;

/**
 * What scorer tests share: their own topics and application id on a shared broker, a bundle in a
 * temporary model store, and a scorer configuration pointing at both.
 *
 * @param bootstrapServers broker address
 * @param registryUrl      registry base URL
 * @param topics           this test's topics, created on the broker
 * @param bundle           the stored bundle the scorer loads
 * @param work             the test's temporary directory
 */
record ScoringFixture(
        String bootstrapServers, String registryUrl, TopicCatalog topics, StoredBundle bundle, Path work) {

    static final String MODEL_NAME = "it-model";
    static final int MODEL_VERSION = 3;

    /**
     * Creates fresh topics and stores an untrained demo-shaped bundle: these tests are about delivery, not accuracy.
     */
    static ScoringFixture create(String bootstrapServers, String registryUrl, Path work) throws Exception {
        TopicCatalog topics = createTopics(bootstrapServers);
        List<String> classes = DemoModel.classes();
        BundleManifest manifest = BundleManifest.create(
                MODEL_NAME,
                MODEL_VERSION,
                classes,
                DemoModel.BASE_MODEL_ID,
                DemoModel.PREPROCESSING,
                Instant.now(),
                Map.of(),
                null);
        ModelBundle bundle = ModelBundle.of(
                manifest, SmallCnn.build(1, DemoModel.IMAGE_SIDE, DemoModel.IMAGE_SIDE, classes.size(), 7));
        StoredBundle stored = new FileSystemModelStore(work.resolve("models")).save(bundle);
        return new ScoringFixture(bootstrapServers, registryUrl, topics, stored, work);
    }

    /** Creates every topic under a name of its own (3 partitions each), so tests sharing a broker stay apart. */
    static TopicCatalog createTopics(String bootstrapServers) throws Exception {
        TopicCatalog topics =
                TopicCatalog.withSuffix("-" + UUID.randomUUID().toString().substring(0, 8));
        try (Admin admin = Admin.create(clientProperties(bootstrapServers))) {
            TopicProvisioner.createAll(admin, topics, 3, (short) 1, Duration.ofSeconds(30));
        }
        return topics;
    }

    /** Stores another version of the fixture's model (same classes and base, weights from {@code seed}). */
    StoredBundle saveVersion(int version, long seed) {
        List<String> classes = DemoModel.classes();
        BundleManifest manifest = BundleManifest.create(
                MODEL_NAME,
                version,
                classes,
                DemoModel.BASE_MODEL_ID,
                DemoModel.PREPROCESSING,
                Instant.now(),
                Map.of(),
                version - 1);
        return new FileSystemModelStore(work.resolve("models"))
                .save(ModelBundle.of(
                        manifest, SmallCnn.build(1, DemoModel.IMAGE_SIDE, DemoModel.IMAGE_SIDE, classes.size(), seed)));
    }

    /** The control-topic record announcing {@code stored} with {@code status}, claiming {@code sha256}. */
    static ModelVersion announce(StoredBundle stored, ModelStatus status, String sha256) {
        ModelVersion announcement =
                ModelAnnouncements.of(stored, BundleFile.readManifest(Path.of(stored.uri())), status, Instant.now());
        return ModelVersion.newBuilder(announcement).setBundleSha256(sha256).build();
    }

    /**
     * A scorer on this fixture's topics and bundle, with its own application id and the fixture's model store,
     * reading files under {@code root}.
     */
    ScorerConfig scorerConfig(Path root) {
        Map<String, Object> props = new HashMap<>();
        props.put(ScorerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ScorerConfig.REGISTRY_URL_CONFIG, registryUrl);
        props.put(ScorerConfig.APPLICATION_ID_CONFIG, "it-" + UUID.randomUUID());
        props.put(ScorerConfig.STATE_DIR_CONFIG, work.resolve("streams").toString());
        props.put(ScorerConfig.MODEL_BUNDLE_CONFIG, Path.of(bundle.uri()).toString());
        props.put(ScorerConfig.MODEL_BUNDLE_SHA256_CONFIG, bundle.sha256());
        props.put(ScorerConfig.MODEL_STORE_CONFIG, work.resolve("models").toString());
        props.put(FetchSettings.ALLOWED_ROOTS_CONFIG, root.toString());
        props.put(ScorerConfig.METRICS_PROMETHEUS_PORT_CONFIG, 0);
        for (TopicRole role : TopicRole.values()) {
            props.put(ScorerConfig.TOPIC_NAME_PREFIX + role.defaultName(), topics.name(role));
        }
        return new ScorerConfig(props);
    }

    /** Client properties for this fixture's broker. */
    Properties clientProperties() {
        return clientProperties(bootstrapServers);
    }

    static Properties clientProperties(String bootstrapServers) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }
}
