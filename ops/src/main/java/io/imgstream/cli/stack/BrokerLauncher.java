package io.imgstream.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;

/**
 * Runs a single-node KRaft Kafka broker (combined broker and controller) from the Kafka jars on this
 * JVM's classpath, in its own detached JVM, with every listener on 127.0.0.1.
 *
 * <p>The controller quorum is static ({@code controller.quorum.voters}), so a stack restarted on other
 * ports reuses its data directory. With a SASL port, a second client listener requires SASL/PLAIN as user
 * {@code imgstream} with a password generated at the first start and kept in the work directory. Not
 * thread-safe; one launcher per start.
 */
final class BrokerLauncher {

    private static final String KAFKA_MAIN = "kafka.Kafka";
    private static final String STORAGE_TOOL_MAIN = "kafka.tools.StorageTool";
    private static final String BROKER_HEAP = "-Xmx1g";
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final int NODE_ID = 1;
    private static final String SASL_USER = "imgstream";
    private static final String PLAIN_LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";

    // The broker logs to stdout, which is redirected to broker.log.
    private static final String LOGBACK_XML = JvmLauncher.consoleLogback(
            List.of("kafka.request.logger", "org.apache.kafka.clients", "state.change.logger"));

    private final StackConfig config;

    BrokerLauncher(StackConfig config) {
        this.config = config;
    }

    /**
     * Writes the broker's configuration and formats its storage unless an earlier start already did.
     *
     * @throws StackException with {@link StackException.Reason#START_FAILED} if formatting fails
     */
    void prepare() {
        Path kafkaDir = config.kafkaDir();
        try {
            Files.createDirectories(dataDir());
            // Owner-only: with a SASL listener it holds the password.
            writeOwnerOnly(propertiesFile(), serverProperties());
            Files.writeString(logbackFile(), LOGBACK_XML, StandardCharsets.UTF_8);
            if (config.withSasl()) {
                writeSaslClientConfig();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the broker configuration under " + kafkaDir, e);
        }
        // Formatting again would need the first cluster id; the data directory already carries it.
        if (Files.exists(dataDir().resolve("meta.properties"))) {
            return;
        }
        Path formatLog = config.logsDir().resolve("broker-format.log");
        List<String> command = javaCommand();
        command.addAll(List.of(STORAGE_TOOL_MAIN, "format", "--cluster-id", Uuid.randomUuid().toString(),
                "--config", propertiesFile().toString()));
        int exit = JvmLauncher.runToCompletion(command, config.workDir(), formatLog, FORMAT_TIMEOUT);
        if (exit != 0) {
            throw new StackException(StackException.Reason.START_FAILED, "formatting the broker storage in " + dataDir()
                    + " failed (exit " + exit + "); last lines of " + formatLog + ":" + System.lineSeparator()
                    + JvmLauncher.tail(formatLog, LocalStack.LOG_TAIL_LINES));
        }
    }

    /** Starts the broker detached; it keeps running after this JVM exits. */
    ProcessHandle start() {
        List<String> command = javaCommand();
        command.add(BROKER_HEAP);
        command.addAll(List.of(KAFKA_MAIN, propertiesFile().toString()));
        return JvmLauncher.startDetached(command, config.workDir(), StackComponent.BROKER.logFile(config));
    }

    /**
     * Waits until the broker answers a cluster description on its client port.
     *
     * @throws StackException with {@link StackException.Reason#START_FAILED} if the process dies or
     *                        {@code deadline} passes first
     */
    void awaitReady(ProcessHandle broker, Instant deadline) {
        LocalStack.awaitReady(StackComponent.BROKER, config, broker, deadline, this::answers);
    }

    /** Whether the broker answers a cluster description now; bounded by a few seconds. Never throws. */
    boolean answers() {
        if (!acceptsConnections()) {
            return false;
        }
        try (Admin admin = Admin.create(LocalStack.adminProperties(config.bootstrapServers(), PROBE_TIMEOUT))) {
            return !admin.describeCluster().nodes().get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).isEmpty();
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // A plain TCP probe first keeps the admin client from logging connection failures while the JVM boots.
    private boolean acceptsConnections() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(StackConfig.HOST, config.brokerPort()), (int) PROBE_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(JvmLauncher.javaBinary(JvmLauncher.currentJavaHome()));
        command.addAll(StackComponent.BROKER.markerArguments(config.workDir()));
        // The broker's classpath holds imgstream's own logback.xml (stderr, quiet); the broker logs to its file.
        command.add("-Dlogback.configurationFile=" + logbackFile());
        command.add("-Djava.awt.headless=true");
        command.add(JvmLauncher.classpathArgumentFile(config.kafkaDir().resolve("classpath.args")));
        return command;
    }

    private String serverProperties() throws IOException {
        String host = StackConfig.HOST;
        String plaintext = "PLAINTEXT://" + host + ":" + config.brokerPort();
        String sasl = "SASL_PLAINTEXT://" + config.saslBootstrapServers();
        List<String> saslSettings = !config.withSasl() ? List.of() : List.of(
                "listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + PLAIN_LOGIN_MODULE + " required user_"
                        + SASL_USER + "=\"" + saslPassword() + "\";");
        List<String> lines = new ArrayList<>(List.of(
                "# Written by 'imgstream stack up'; rewritten at every start.",
                "process.roles=broker,controller",
                "node.id=" + NODE_ID,
                "controller.quorum.voters=" + NODE_ID + "@" + host + ":" + config.controllerPort(),
                "listeners=" + plaintext + ",CONTROLLER://" + host + ":" + config.controllerPort()
                        + (config.withSasl() ? "," + sasl : ""),
                "advertised.listeners=" + plaintext + (config.withSasl() ? "," + sasl : ""),
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dataDir(),
                "num.partitions=" + config.partitions(),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "min.insync.replicas=1",
                "default.replication.factor=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false"));
        lines.addAll(saslSettings);
        lines.add("");
        return String.join(System.lineSeparator(), lines);
    }

    // The clients' side of the SASL listener, for --kafka-config: its user and password, kept across restarts.
    private void writeSaslClientConfig() throws IOException {
        String settings = String.join(System.lineSeparator(),
                "# Written by 'imgstream stack up': client settings for the broker's SASL listener at "
                        + config.saslBootstrapServers() + ".",
                "# Use them with --bootstrap-servers " + config.saslBootstrapServers() + " --kafka-config <this file>.",
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=" + PLAIN_LOGIN_MODULE + " required username=\"" + SASL_USER + "\" password=\""
                        + saslPassword() + "\";",
                "");
        writeOwnerOnly(config.saslClientConfig(), settings);
    }

    private String saslPassword() throws IOException {
        Path file = config.kafkaDir().resolve("sasl-password");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        }
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        writeOwnerOnly(file, password);
        return password;
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Only POSIX file systems have these permissions; elsewhere the work directory's protection applies.
        }
    }

    private Path propertiesFile() {
        return config.kafkaDir().resolve("server.properties");
    }

    private Path logbackFile() {
        return config.kafkaDir().resolve("logback.xml");
    }

    private Path dataDir() {
        return config.kafkaDir().resolve("data");
    }
}
