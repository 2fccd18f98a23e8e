package io.imgstream.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The settings of a long-running application command ({@code score}, {@code train}): the properties file, then
 * {@code --set}, then the connection options, each overriding the one before. Client settings of the connection
 * options (security, tuning) are passed under the application's Kafka prefix.
 */
final class AppProperties {

    private static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    private static final String REGISTRY_URL = "registry.url";
    private static final String KAFKA_PREFIX = "kafka.";

    private AppProperties() {
    }

    /**
     * @param configFile the properties file, or null
     * @param settings   {@code --set} values
     * @param connection brokers, registry and client settings
     * @return the merged settings, for the application's config class to validate
     * @throws CliException if the file does not exist
     */
    static Map<String, Object> read(Path configFile, Map<String, String> settings, ConnectionOptions connection)
            throws IOException {
        Map<String, Object> props = new HashMap<>();
        if (configFile != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(configFile)) {
                file.load(reader);
            } catch (NoSuchFileException e) {
                throw new CliException("Config file " + configFile + " does not exist", CliException.BAD_ARGUMENT);
            }
            file.forEach((k, v) -> props.put((String) k, v));
        }
        props.putAll(settings);
        props.put(BOOTSTRAP_SERVERS, connection.bootstrapServers());
        props.put(REGISTRY_URL, connection.registryUrl());
        connection.clientProperties().forEach((k, v) -> {
            if (!BOOTSTRAP_SERVERS.equals(k)) {
                props.put(KAFKA_PREFIX + k, v);
            }
        });
        return props;
    }
}
