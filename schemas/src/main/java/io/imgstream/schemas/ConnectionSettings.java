package io.imgstream.schemas;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Where an application's clients connect, shared by every application's configuration: the brokers, the registry,
 * and the {@value #KAFKA_PREFIX} keys passed to Kafka's clients with the prefix removed (security settings,
 * tuning). Defined once here, added to each application's {@link ConfigDef}.
 */
public final class ConnectionSettings {

    /** Prefix of keys handed to Kafka unchanged, minus the prefix, e.g. {@code kafka.security.protocol=SSL}. */
    public static final String KAFKA_PREFIX = "kafka.";

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers to connect to, host:port[,host:port...].";

    public static final String REGISTRY_URL_CONFIG = "registry.url";
    private static final String REGISTRY_URL_DOC =
            "Base URL of the schema registry (Apicurio), e.g. http://127.0.0.1:18081.";

    private ConnectionSettings() {}

    /**
     * Adds the broker and registry keys to a definition.
     *
     * @return {@code def}
     */
    public static ConfigDef define(ConfigDef def) {
        def.define(
                BOOTSTRAP_SERVERS_CONFIG,
                Type.LIST,
                ConfigDef.NO_DEFAULT_VALUE,
                ConfigDef.ValidList.anyNonDuplicateValues(false, false),
                Importance.HIGH,
                BOOTSTRAP_SERVERS_DOC);
        return defineRegistryUrl(def, REGISTRY_URL_DOC);
    }

    /**
     * Adds the required {@value #REGISTRY_URL_CONFIG} key, with a description of what the registry is used for
     * there (the connectors' keys name their converter too).
     *
     * @return {@code def}
     */
    public static ConfigDef defineRegistryUrl(ConfigDef def, String doc) {
        return def.define(
                REGISTRY_URL_CONFIG,
                Type.STRING,
                ConfigDef.NO_DEFAULT_VALUE,
                new ConfigDef.NonEmptyString(),
                Importance.HIGH,
                doc);
    }

    /** The brokers of a configuration {@link #define} was applied to, as Kafka clients expect them. */
    public static String bootstrapServers(AbstractConfig config) {
        return String.join(",", config.getList(BOOTSTRAP_SERVERS_CONFIG));
    }

    /** The registry's base URL of such a configuration. */
    public static String registryUrl(AbstractConfig config) {
        return config.getString(REGISTRY_URL_CONFIG);
    }

    /** Settings for producers and consumers: every {@value #KAFKA_PREFIX} key, then the brokers. */
    public static Map<String, Object> clientConfig(AbstractConfig config) {
        Map<String, Object> client = new HashMap<>(config.originalsWithPrefix(KAFKA_PREFIX));
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(config));
        return client;
    }
}
