package io.imgstream.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * ports reuses its data directory. With a secure port, a second client listener requires TLS and SASL/PLAIN
 * (see {@link SecureListener}). Not thread-safe; one launcher per start.
 */
final class BrokerLauncher {

    private static final String KAFKA_MAIN = "kafka.Kafka";
    private static final String STORAGE_TOOL_MAIN = "kafka.tools.StorageTool";
    private static final String BROKER_HEAP = "-Xmx1g";
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final int NODE_ID = 1;

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
            if (config.secured()) {
                new SecureListener(config).prepare();
            }
            // Owner-only: with a secure listener it holds the password.
            SecureListener.writeOwnerOnly(propertiesFile(), serverProperties());
            Files.writeString(logbackFile(), LOGBACK_XML, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the broker configuration under " + kafkaDir, e);
        }
        // Formatting again would need the first cluster id; the data directory already carries it.
        if (Files.exists(dataDir().resolve("meta.properties"))) {
            return;
        }
        Path formatLog = config.logsDir().resolve("broker-format.log");
        List<String> command = javaCommand();
        command.addAll(List.of(
                STORAGE_TOOL_MAIN,
                "format",
                "--cluster-id",
                Uuid.randomUuid().toString(),
                "--config",
                propertiesFile().toString()));
        int exit = JvmLauncher.runToCompletion(command, config.workDir(), formatLog, FORMAT_TIMEOUT);
        if (exit != 0) {
            throw new StackException(
                    StackException.Reason.START_FAILED,
                    "formatting the broker storage in " + dataDir()
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
            return !admin.describeCluster()
                    .nodes()
                    .get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .isEmpty();
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
            socket.connect(
                    new InetSocketAddress(StackConfig.HOST, config.brokerPort()), (int) PROBE_TIMEOUT.toMillis());
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
        String secure = SecureListener.PROTOCOL + "://" + config.secureBootstrapServers();
        List<String> secureSettings = config.secured() ? new SecureListener(config).serverProperties() : List.of();
        List<String> lines = new ArrayList<>(List.of(
                "# Written by 'imgstream stack up'; rewritten at every start.",
                "process.roles=broker,controller",
                "node.id=" + NODE_ID,
                "controller.quorum.voters=" + NODE_ID + "@" + host + ":" + config.controllerPort(),
                "listeners=" + plaintext + ",CONTROLLER://" + host + ":" + config.controllerPort()
                        + (config.secured() ? "," + secure : ""),
                "advertised.listeners=" + plaintext + (config.secured() ? "," + secure : ""),
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
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
        lines.addAll(secureSettings);
        lines.add("");
        return String.join(System.lineSeparator(), lines);
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
