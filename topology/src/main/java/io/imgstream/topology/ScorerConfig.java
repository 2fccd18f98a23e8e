package io.imgstream.topology;

import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of the scoring application. Every key, its default, its validator and its documentation
 * are declared once in {@link #CONFIG}.
 *
 * <p>Keys starting with {@value #KAFKA_PREFIX} are passed to Kafka Streams and its clients with the prefix
 * removed (security settings, tuning), e.g. {@code kafka.security.protocol=SSL}.
 */
public final class ScorerConfig extends AbstractConfig {

    /** Prefix of keys handed to Kafka Streams unchanged, minus the prefix. */
    public static final String KAFKA_PREFIX = "kafka.";

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers to connect to, host:port[,host:port...].";

    public static final String REGISTRY_URL_CONFIG = "registry.url";
    private static final String REGISTRY_URL_DOC = "Base URL of the schema registry (Apicurio), e.g. http://127.0.0.1:18081.";

    public static final String APPLICATION_ID_CONFIG = "application.id";
    public static final String DEFAULT_APPLICATION_ID = "imgstream-scorer";
    private static final String APPLICATION_ID_DOC = "Kafka Streams application id: instances sharing it share the input partitions.";

    public static final String PROCESSING_GUARANTEE_CONFIG = "processing.guarantee";
    public static final String DEFAULT_PROCESSING_GUARANTEE = StreamsConfig.EXACTLY_ONCE_V2;
    private static final String PROCESSING_GUARANTEE_DOC = "exactly_once_v2: every image gets exactly one prediction per model "
            + "version, even across crashes. at_least_once: faster commits, duplicates possible after a crash.";

    public static final String STATE_DIR_CONFIG = "state.dir";
    public static final String DEFAULT_STATE_DIR = ".imgstream/streams";
    private static final String STATE_DIR_DOC = "Directory for Kafka Streams local state; relative paths are resolved "
            + "against the working directory.";

    public static final String MODEL_BUNDLE_CONFIG = "model.bundle";
    private static final String MODEL_BUNDLE_DOC = "Path or file:// URI of the model bundle (zip) to score with.";

    public static final String MODEL_BUNDLE_SHA256_CONFIG = "model.bundle.sha256";
    private static final String MODEL_BUNDLE_SHA256_DOC = "Expected hex sha256 of the bundle file; when set, a bundle that "
            + "does not match is refused. Empty: not checked.";

    public static final String FETCH_ALLOWED_SCHEMES_CONFIG = "fetch.allowed.schemes";
    public static final List<String> DEFAULT_FETCH_ALLOWED_SCHEMES = List.of("file", "inline");
    private static final String FETCH_ALLOWED_SCHEMES_DOC = "URI schemes the scorer may fetch images from (file, inline). "
            + "References with any other scheme are dead-lettered with SCHEME_NOT_ALLOWED.";

    public static final String FETCH_ALLOWED_ROOTS_CONFIG = "fetch.allowed.roots";
    private static final String FETCH_ALLOWED_ROOTS_DOC = "Directories under which file:// images may be read. A file outside "
            + "them (after resolving symbolic links and '..') is dead-lettered with PATH_NOT_ALLOWED. Empty: no file is readable.";

    public static final String FETCH_MAX_BYTES_CONFIG = "fetch.max.bytes";
    public static final int DEFAULT_FETCH_MAX_BYTES = 10 * 1024 * 1024;
    private static final String FETCH_MAX_BYTES_DOC = "Largest encoded image accepted, in bytes.";

    public static final String FETCH_MAX_PIXELS_CONFIG = "fetch.max.pixels";
    public static final long DEFAULT_FETCH_MAX_PIXELS = 40_000_000L;
    private static final String FETCH_MAX_PIXELS_DOC = "Largest image accepted, in pixels (width x height as declared in "
            + "its header, checked before decoding so decompression bombs are refused cheaply).";

    public static final String SCORING_TOP_K_CONFIG = "scoring.top.k";
    public static final int DEFAULT_SCORING_TOP_K = 3;
    private static final String SCORING_TOP_K_DOC = "How many most-probable classes each prediction lists in topK.";

    public static final String METRICS_JMX_ENABLED_CONFIG = "metrics.jmx.enabled";
    public static final boolean DEFAULT_METRICS_JMX_ENABLED = true;
    private static final String METRICS_JMX_ENABLED_DOC = "Whether to register the scorer's metrics as JMX MBeans "
            + "(domain io.imgstream).";

    public static final String METRICS_PROMETHEUS_PORT_CONFIG = "metrics.prometheus.port";
    public static final int DEFAULT_METRICS_PROMETHEUS_PORT = -1;
    private static final String METRICS_PROMETHEUS_PORT_DOC = "Port of the Prometheus endpoint "
            + "http://127.0.0.1:<port>/metrics. -1 disables it; 0 picks a free port.";

    public static final String TOPIC_NAME_PREFIX = "topic.";
    private static final String TOPIC_NAME_DOC = "Name of the %s topic.";

    /** The definition of every key. */
    public static final ConfigDef CONFIG = definition();

    /** Parses and validates {@code props}; unknown keys are ignored, {@value #KAFKA_PREFIX} keys are kept for Kafka. */
    public ScorerConfig(Map<?, ?> props) {
        super(CONFIG, props);
        validateGuarantee();
    }

    private static ConfigDef definition() {
        ConfigDef def = new ConfigDef()
                .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
                        ConfigDef.ValidList.anyNonDuplicateValues(false, false), Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
                .define(REGISTRY_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                        new ConfigDef.NonEmptyString(), Importance.HIGH, REGISTRY_URL_DOC)
                .define(MODEL_BUNDLE_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                        new ConfigDef.NonEmptyString(), Importance.HIGH, MODEL_BUNDLE_DOC)
                .define(MODEL_BUNDLE_SHA256_CONFIG, Type.STRING, "",
                        new Sha256OrEmpty(), Importance.MEDIUM, MODEL_BUNDLE_SHA256_DOC)
                .define(APPLICATION_ID_CONFIG, Type.STRING, DEFAULT_APPLICATION_ID,
                        new ConfigDef.NonEmptyString(), Importance.HIGH, APPLICATION_ID_DOC)
                .define(PROCESSING_GUARANTEE_CONFIG, Type.STRING, DEFAULT_PROCESSING_GUARANTEE,
                        ValidString.in(StreamsConfig.AT_LEAST_ONCE, StreamsConfig.EXACTLY_ONCE_V2), Importance.HIGH,
                        PROCESSING_GUARANTEE_DOC)
                .define(STATE_DIR_CONFIG, Type.STRING, DEFAULT_STATE_DIR, Importance.MEDIUM, STATE_DIR_DOC)
                .define(FETCH_ALLOWED_SCHEMES_CONFIG, Type.LIST, DEFAULT_FETCH_ALLOWED_SCHEMES,
                        ConfigDef.ValidList.in(true, "file", "inline"), Importance.HIGH, FETCH_ALLOWED_SCHEMES_DOC)
                .define(FETCH_ALLOWED_ROOTS_CONFIG, Type.LIST, List.of(), ConfigDef.ValidList.anyNonDuplicateValues(true, false), Importance.HIGH, FETCH_ALLOWED_ROOTS_DOC)
                .define(FETCH_MAX_BYTES_CONFIG, Type.INT, DEFAULT_FETCH_MAX_BYTES, ConfigDef.Range.atLeast(1),
                        Importance.MEDIUM, FETCH_MAX_BYTES_DOC)
                .define(FETCH_MAX_PIXELS_CONFIG, Type.LONG, DEFAULT_FETCH_MAX_PIXELS, ConfigDef.Range.atLeast(1),
                        Importance.MEDIUM, FETCH_MAX_PIXELS_DOC)
                .define(SCORING_TOP_K_CONFIG, Type.INT, DEFAULT_SCORING_TOP_K, ConfigDef.Range.between(1, 100),
                        Importance.LOW, SCORING_TOP_K_DOC)
                .define(METRICS_JMX_ENABLED_CONFIG, Type.BOOLEAN, DEFAULT_METRICS_JMX_ENABLED, Importance.LOW,
                        METRICS_JMX_ENABLED_DOC)
                .define(METRICS_PROMETHEUS_PORT_CONFIG, Type.INT, DEFAULT_METRICS_PROMETHEUS_PORT,
                        ConfigDef.Range.between(-1, 65535), Importance.MEDIUM, METRICS_PROMETHEUS_PORT_DOC);
        for (TopicRole role : TopicRole.values()) {
            def.define(TOPIC_NAME_PREFIX + role.defaultName(), Type.STRING, role.defaultName(),
                    new ConfigDef.NonEmptyString(), Importance.LOW, String.format(TOPIC_NAME_DOC, role.defaultName()));
        }
        return def;
    }

    /** Accepts 64 hex digits or nothing. */
    private static final class Sha256OrEmpty implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String text = (String) value;
            if (text != null && !text.isEmpty() && !text.matches("[0-9a-fA-F]{64}")) {
                throw new ConfigException(name, value, "expected 64 hex digits (a sha256), or empty to skip the check");
            }
        }

        @Override
        public String toString() {
            return "64 hex digits, or empty";
        }
    }

    private void validateGuarantee() {
        Object kafkaGuarantee = originals().get(KAFKA_PREFIX + StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (kafkaGuarantee != null) {
            throw new ConfigException(KAFKA_PREFIX + StreamsConfig.PROCESSING_GUARANTEE_CONFIG, kafkaGuarantee,
                    "set " + PROCESSING_GUARANTEE_CONFIG + " instead; the scorer owns its delivery guarantee");
        }
    }

    /** Brokers, as Kafka clients expect them. */
    public String bootstrapServers() {
        return String.join(",", getList(BOOTSTRAP_SERVERS_CONFIG));
    }

    /** Registry base URL. */
    public String registryUrl() {
        return getString(REGISTRY_URL_CONFIG);
    }

    /** Kafka Streams application id. */
    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    /** The configured model bundle location. */
    public String modelBundle() {
        return getString(MODEL_BUNDLE_CONFIG);
    }

    /** Expected sha256 of the bundle, or empty when not checked. */
    public String modelBundleSha256() {
        return getString(MODEL_BUNDLE_SHA256_CONFIG);
    }

    /** Allowed URI schemes, lower case. */
    public List<String> fetchAllowedSchemes() {
        return getList(FETCH_ALLOWED_SCHEMES_CONFIG);
    }

    /** Directories file:// images may come from. */
    public List<Path> fetchAllowedRoots() {
        return getList(FETCH_ALLOWED_ROOTS_CONFIG).stream().map(Path::of).toList();
    }

    /** Largest accepted image, in bytes. */
    public int fetchMaxBytes() {
        return getInt(FETCH_MAX_BYTES_CONFIG);
    }

    /** Largest accepted image, in pixels. */
    public long fetchMaxPixels() {
        return getLong(FETCH_MAX_PIXELS_CONFIG);
    }

    /** Classes listed per prediction. */
    public int topK() {
        return getInt(SCORING_TOP_K_CONFIG);
    }

    /** Whether metrics are registered with JMX. */
    public boolean metricsJmxEnabled() {
        return getBoolean(METRICS_JMX_ENABLED_CONFIG);
    }

    /** Port of the Prometheus endpoint; -1 when disabled, 0 for any free port. */
    public int metricsPrometheusPort() {
        return getInt(METRICS_PROMETHEUS_PORT_CONFIG);
    }

    /** The topic catalog, with any names configured under {@value #TOPIC_NAME_PREFIX}. */
    public TopicCatalog topics() {
        Map<TopicRole, String> names = new EnumMap<>(TopicRole.class);
        for (TopicRole role : TopicRole.values()) {
            names.put(role, getString(TOPIC_NAME_PREFIX + role.defaultName()));
        }
        try {
            return TopicCatalog.withNames(names);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** Properties for Kafka Streams: ours, then the {@value #KAFKA_PREFIX} pass-through keys. */
    public Properties streamsProperties() {
        Properties props = new Properties();
        props.putAll(originalsWithPrefix(KAFKA_PREFIX));
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, getString(PROCESSING_GUARANTEE_CONFIG));
        props.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR_CONFIG));
        // Kafka 5.0 makes this the default; opting in now keeps behaviour the same across the upgrade.
        props.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return props;
    }
}
