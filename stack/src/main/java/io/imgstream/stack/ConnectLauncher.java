package io.imgstream.stack;

import io.imgstream.schemas.AvroLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * Runs a standalone Kafka Connect worker from the jars on this JVM's classpath (the imgstream connectors among
 * them), in its own detached JVM, its REST API on 127.0.0.1. Connectors are created through that API
 * ({@code imgstream connect create}); source offsets are kept in a file under the work directory, sink offsets in
 * the broker's consumer groups. Not thread-safe; one launcher per start.
 */
final class ConnectLauncher {

    private static final String CONNECT_MAIN = "org.apache.kafka.connect.cli.ConnectStandalone";
    private static final String CONNECT_HEAP = "-Xmx768m";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    // The worker logs to stdout, which is redirected to connect.log.
    private static final String LOGBACK_XML =
            JvmLauncher.consoleLogback(List.of("org.apache.kafka.clients", "org.reflections", "org.eclipse.jetty"));

    private final StackConfig config;

    ConnectLauncher(StackConfig config) {
        this.config = config;
    }

    /** Writes the worker's configuration and starts it detached; it keeps running after this JVM exits. */
    ProcessHandle start() {
        Path dir = config.connectDir();
        try {
            Files.createDirectories(dir);
            Files.writeString(propertiesFile(), workerProperties(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("logback.xml"), LOGBACK_XML, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the Connect worker configuration under " + dir, e);
        }
        List<String> command = new ArrayList<>();
        command.add(JvmLauncher.javaBinary(JvmLauncher.currentJavaHome()));
        command.addAll(StackComponent.CONNECT.markerArguments(config.workDir()));
        command.add("-Dlogback.configurationFile=" + dir.resolve("logback.xml"));
        command.add("-Djava.awt.headless=true");
        // The connectors read and write Avro records of imgstream's schemas; Avro refuses untrusted classes.
        command.add("-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.imgstream.schemas.avro");
        command.addAll(AvroLimits.jvmFlags());
        command.add(CONNECT_HEAP);
        command.add(JvmLauncher.classpathArgumentFile(dir.resolve("classpath.args")));
        command.addAll(List.of(CONNECT_MAIN, propertiesFile().toString()));
        return JvmLauncher.startDetached(command, config.workDir(), StackComponent.CONNECT.logFile(config));
    }

    /**
     * Waits until the REST API lists connectors.
     *
     * @throws StackException with {@link StackException.Reason#START_FAILED} if the process dies or
     *                        {@code deadline} passes first
     */
    void awaitReady(ProcessHandle worker, Instant deadline) {
        LocalStack.awaitReady(StackComponent.CONNECT, config, worker, deadline, () -> answers(config.connectUrl()));
    }

    /** Whether a Connect worker answers at {@code url} now; bounded by a few seconds. Never throws. */
    static boolean answers(String url) {
        try {
            HttpResponse<Void> response = HttpClient.newBuilder()
                    .connectTimeout(PROBE_TIMEOUT)
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create(url + "/connectors"))
                                    .timeout(PROBE_TIMEOUT)
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String workerProperties() {
        return String.join(
                System.lineSeparator(),
                "# Written by 'imgstream stack up --connect'; rewritten at every start.",
                "bootstrap.servers=" + config.bootstrapServers(),
                "listeners=http://" + StackConfig.HOST + ":" + config.connectPort(),
                "rest.advertised.host.name=" + StackConfig.HOST,
                // imgstream's connectors exchange records in the registry's wire format, already serialised.
                "key.converter=org.apache.kafka.connect.storage.StringConverter",
                "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.storage.file.filename=" + config.connectDir().resolve("source-offsets"),
                "offset.flush.interval.ms=5000",
                "plugin.discovery=only_scan",
                "");
    }

    private Path propertiesFile() {
        return config.connectDir().resolve("worker.properties");
    }
}
