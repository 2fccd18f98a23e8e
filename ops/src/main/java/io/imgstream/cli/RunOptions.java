package io.imgstream.cli;

import io.imgstream.control.SigningKeyFiles;
import io.imgstream.runtime.metrics.MetricsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the commands that run an application until stopped ({@code score}, {@code train}), and what they
 * share: the {@link SettingsOptions}, then the connection and dedicated options, each overriding the one before;
 * and {@code --duration} (with {@link StopSignal}, running until Ctrl-C or for that long).
 */
final class RunOptions {

    private static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    private static final String REGISTRY_URL = "registry.url";
    private static final String KAFKA_PREFIX = "kafka.";

    @Mixin
    private ConnectionOptions connection;

    @Mixin
    private WorkDirOption stack;

    @Mixin
    private SettingsOptions settings;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description = "Serve /metrics (Prometheus), /health and /ready on PORT of metrics.bind.address "
                    + "(127.0.0.1 unless set; 0: any free port).")
    private Integer metricsPort;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            description = "Stop after this long, ISO-8601 (e.g. PT10M); default: until Ctrl-C.")
    private Duration duration;

    /**
     * Prints the settings table when {@code --config-reference} was given.
     *
     * @return whether it was, and the command is done
     */
    boolean printedReference(PrintWriter out, ConfigDef definition) {
        return settings.printedReference(out, definition);
    }

    /**
     * Sets {@code key} to the local stack's key file when there is one and the settings name no key (an empty value
     * counts as naming one: it turns signatures off), so signing is on wherever {@code imgstream stack up} made its
     * pair.
     *
     * @param key          the application's key setting
     * @param stackKeyFile the file of the stack's pair the application needs, if it exists
     */
    static void defaultSigningKey(Map<String, Object> props, String key, Optional<Path> stackKeyFile) {
        if (!props.containsKey(key)) {
            stackKeyFile.ifPresent(file -> props.put(key, file.toString()));
        }
    }

    /** The local stack's key pair for signing announcements; its files may not exist. */
    SigningKeyFiles stackSigningKeys() {
        return stack.signingKeys();
    }

    /** Where the broker and the registry are. */
    ConnectionOptions connection() {
        return connection;
    }

    /**
     * The merged settings, for the application's config class to validate. Client settings of the connection
     * options (security, tuning) go under the {@value #KAFKA_PREFIX} prefix.
     *
     * @throws CliException if the properties file does not exist
     */
    Map<String, Object> properties() throws IOException {
        Map<String, Object> props = settings.properties();
        props.put(BOOTSTRAP_SERVERS, connection.bootstrapServers());
        props.put(REGISTRY_URL, connection.registryUrl());
        connection.clientProperties().forEach((k, v) -> {
            if (!BOOTSTRAP_SERVERS.equals(k)) {
                props.put(KAFKA_PREFIX + k, v);
            }
        });
        if (metricsPort != null) {
            props.put(MetricsSettings.PROMETHEUS_PORT_CONFIG, metricsPort);
        }
        return props;
    }

    /** How long to run: {@code --duration}, or null for until stopped. */
    Duration duration() {
        return duration;
    }
}
