package io.imgstream.cli;

import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.TopicSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Option;

/**
 * Where the broker and the registry are, and what the topics are called: a picocli mixin shared by every command
 * that talks to them. The defaults are the addresses of the local stack ({@code imgstream stack up}). Topic names
 * come from the same {@code topic.<default name>} keys the scorer and the worker read ({@link TopicSettings}),
 * given in the {@code --kafka-config} file or as {@code --kafka-property}; they are not passed on to the clients.
 */
public final class ConnectionOptions {

    /** Default broker address of the local stack. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:19092";
    /** Default registry address of the local stack. */
    public static final String DEFAULT_REGISTRY_URL = "http://127.0.0.1:18081";

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            defaultValue = DEFAULT_BOOTSTRAP_SERVERS,
            description = "Kafka brokers (default: ${DEFAULT-VALUE}).")
    private String bootstrapServers;

    @Option(
            names = "--registry-url",
            paramLabel = "URL",
            defaultValue = DEFAULT_REGISTRY_URL,
            description = "Schema registry base URL (default: ${DEFAULT-VALUE}).")
    private String registryUrl;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description = "Extra Kafka client property, e.g. security.protocol=SSL, or a topic name, e.g. "
                    + "topic.images=my-images (repeatable); wins over --kafka-config.")
    private Map<String, String> kafkaProperties = new HashMap<>();

    @Option(
            names = "--kafka-config",
            paramLabel = "FILE",
            description = "Properties file of Kafka client settings (security protocol, SASL, TLS), as Kafka's own "
                    + "tools take with --command-config; may also rename topics with the topic.* keys of the scorer's "
                    + "and the worker's configuration.")
    private Path kafkaConfig;

    /** Creates options for the given addresses, for callers that don't parse a command line. */
    public static ConnectionOptions of(String bootstrapServers, String registryUrl) {
        ConnectionOptions options = new ConnectionOptions();
        options.bootstrapServers = bootstrapServers;
        options.registryUrl = registryUrl;
        return options;
    }

    /** Broker addresses. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Registry base URL. */
    public String registryUrl() {
        return registryUrl;
    }

    /** Serdes bound to the registry. */
    public RegistrySerdes serdes() {
        return RegistrySerdes.forRegistry(registryUrl);
    }

    /**
     * Base client properties: the brokers, then the settings of {@code --kafka-config}, then every
     * {@code --kafka-property}; the {@code topic.*} keys left out.
     *
     * @throws CliException if the {@code --kafka-config} file can't be read
     */
    public Properties clientProperties() {
        Properties props = settings();
        props.stringPropertyNames().stream()
                .filter(key -> key.startsWith(TopicSettings.PREFIX))
                .forEach(props::remove);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /**
     * The topic names the settings give ({@code topic.images=...}), each role's default name otherwise.
     *
     * @throws CliException if a name is empty or two roles share one
     */
    public TopicCatalog topics() {
        Properties topicKeys = new Properties();
        settings().forEach((key, value) -> {
            if (key.toString().startsWith(TopicSettings.PREFIX)) {
                topicKeys.put(key, value);
            }
        });
        try {
            return TopicSettings.from(new AbstractConfig(TopicSettings.define(new ConfigDef()), topicKeys, false));
        } catch (ConfigException e) {
            throw new CliException(
                    "Topic names of --kafka-config/--kafka-property: " + e.getMessage(), CliException.BAD_ARGUMENT);
        }
    }

    /** {@code explicit} when a command was given one, else the name the settings give {@code role}. */
    public String topic(String explicit, TopicRole role) {
        return explicit != null ? explicit : topics().name(role);
    }

    private Properties settings() {
        Properties props = new Properties();
        if (kafkaConfig != null) {
            try (Reader reader = Files.newBufferedReader(kafkaConfig, StandardCharsets.UTF_8)) {
                props.load(reader);
            } catch (IOException e) {
                throw new CliException(
                        "Could not read the Kafka client settings of --kafka-config " + kafkaConfig + ": " + e,
                        CliException.BAD_ARGUMENT);
            }
        }
        props.putAll(kafkaProperties);
        return props;
    }
}
