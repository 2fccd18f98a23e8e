package io.imgstream.cli;

import io.imgstream.schemas.RegistrySerdes;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/**
 * Where the broker and the registry are: a picocli mixin shared by every command that talks to them.
 * The defaults are the addresses of the local stack ({@code imgstream stack up}).
 */
public final class ConnectionOptions {

    /** Default broker address of the local stack. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:19092";
    /** Default registry address of the local stack. */
    public static final String DEFAULT_REGISTRY_URL = "http://127.0.0.1:18081";

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = DEFAULT_BOOTSTRAP_SERVERS,
            description = "Kafka brokers (default: ${DEFAULT-VALUE}).")
    private String bootstrapServers;

    @Option(names = "--registry-url", paramLabel = "URL", defaultValue = DEFAULT_REGISTRY_URL,
            description = "Schema registry base URL (default: ${DEFAULT-VALUE}).")
    private String registryUrl;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "Extra Kafka client property, e.g. security.protocol=SSL (repeatable).")
    private Map<String, String> kafkaProperties = new HashMap<>();

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

    /** Base client properties: the brokers plus every {@code --kafka-property}. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }
}
