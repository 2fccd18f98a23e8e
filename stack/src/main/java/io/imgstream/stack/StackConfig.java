package io.imgstream.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a local stack: where it keeps its files and which ports on 127.0.0.1 it binds.
 * Immutable; validated on construction.
 *
 * @param workDir                the directory holding broker data, logs and the state file; made absolute
 * @param brokerPort             the broker's client listener port ({@code PLAINTEXT})
 * @param controllerPort         the KRaft controller listener port
 * @param registryPort           the schema registry's HTTP port
 * @param registryManagementPort the registry's management (health, metrics) port; Quarkus always opens one
 * @param registryJavaHome       a JDK 21+ to run the registry with, or {@code null} to search for one
 *                               (see {@link JdkLocator})
 * @param partitions             partitions of each topic the stack creates
 * @param readyTimeout           how long each server may take to become ready before start fails
 * @param connectPort            the Kafka Connect worker's REST port, or 0 for no Connect worker
 * @param securePort             port of an extra broker listener that requires TLS and SASL/PLAIN
 *                               ({@code SASL_SSL}), or 0 for none; see {@link #secureClientConfig()}
 * @throws StackException with {@link StackException.Reason#INVALID_CONFIG} if a port is outside 1..65535,
 *                        two ports are equal, partitions is below 1 or the timeout is not positive
 */
public record StackConfig(
        Path workDir,
        int brokerPort,
        int controllerPort,
        int registryPort,
        int registryManagementPort,
        Path registryJavaHome,
        int partitions,
        Duration readyTimeout,
        int connectPort,
        int securePort) {

    /** Every server of the stack binds this address only. */
    public static final String HOST = "127.0.0.1";
    /** Default work directory, relative to the current directory. */
    public static final String DEFAULT_WORK_DIR = ".imgstream";

    public static final int DEFAULT_BROKER_PORT = 19092;
    public static final int DEFAULT_CONTROLLER_PORT = 19093;
    public static final int DEFAULT_REGISTRY_PORT = 18081;
    public static final int DEFAULT_REGISTRY_MANAGEMENT_PORT = 18082;
    public static final int DEFAULT_CONNECT_PORT = 18083;
    public static final int DEFAULT_PARTITIONS = 3;
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(120);

    /** Folder of {@link #signingKeysDir()} in the work directory. */
    public static final String SIGNING_KEYS_DIR = "keys";

    /** File name of {@link #secureClientConfig()} in the work directory. */
    public static final String SECURE_CLIENT_CONFIG = "secure-client.properties";

    private static final int MAX_PORT = 65_535;

    public StackConfig {
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(readyTimeout, "readyTimeout");
        workDir = workDir.toAbsolutePath().normalize();
        registryJavaHome = registryJavaHome == null
                ? null
                : registryJavaHome.toAbsolutePath().normalize();
        validatePorts(ports(brokerPort, controllerPort, registryPort, registryManagementPort, connectPort, securePort));
        if (partitions < 1) {
            throw invalid("--partitions must be at least 1, got " + partitions);
        }
        if (readyTimeout.isNegative() || readyTimeout.isZero()) {
            throw invalid("the ready timeout must be positive, got " + readyTimeout);
        }
    }

    /** The default ports and settings, with files under {@code workDir}. */
    public static StackConfig defaults(Path workDir) {
        return new StackConfig(
                workDir,
                DEFAULT_BROKER_PORT,
                DEFAULT_CONTROLLER_PORT,
                DEFAULT_REGISTRY_PORT,
                DEFAULT_REGISTRY_MANAGEMENT_PORT,
                null,
                DEFAULT_PARTITIONS,
                DEFAULT_READY_TIMEOUT,
                0,
                0);
    }

    /**
     * Default settings on four ports that are free right now, for tests and for stacks beside another one.
     * Another process may still take a port before the stack binds it; start then fails with
     * {@link StackException.Reason#PORT_TAKEN}.
     */
    public static StackConfig withFreePorts(Path workDir) {
        int[] ports = FreePorts.pick(4);
        return new StackConfig(
                workDir, ports[0], ports[1], ports[2], ports[3], null, DEFAULT_PARTITIONS, DEFAULT_READY_TIMEOUT, 0, 0);
    }

    /** A copy that runs the registry with the JDK at {@code javaHome} ({@code null}: search for one). */
    public StackConfig withRegistryJavaHome(Path javaHome) {
        return copy(javaHome, partitions, connectPort, securePort);
    }

    /** A copy that creates topics with {@code count} partitions. */
    public StackConfig withPartitions(int count) {
        return copy(registryJavaHome, count, connectPort, securePort);
    }

    /** These settings with a Kafka Connect worker on {@code port}. */
    public StackConfig withConnectPort(int port) {
        return copy(registryJavaHome, partitions, port, securePort);
    }

    /** These settings with a TLS and SASL/PLAIN listener on {@code port} besides the plaintext one. */
    public StackConfig withSecurePort(int port) {
        return copy(registryJavaHome, partitions, connectPort, port);
    }

    private StackConfig copy(Path javaHome, int partitionCount, int connectOn, int secureOn) {
        return new StackConfig(
                workDir,
                brokerPort,
                controllerPort,
                registryPort,
                registryManagementPort,
                javaHome,
                partitionCount,
                readyTimeout,
                connectOn,
                secureOn);
    }

    /** Whether the broker has the secure listener. */
    public boolean secured() {
        return securePort != 0;
    }

    /** {@code 127.0.0.1:<securePort>}, meaningful only when {@link #secured()}. */
    public String secureBootstrapServers() {
        return HOST + ":" + securePort;
    }

    /**
     * The client settings for the secure listener (security protocol, SASL mechanism, JAAS line with the stack's
     * user and password, the broker's certificate as trust store), written by {@code stack up}: pass it to any
     * command with {@code --kafka-config}.
     */
    public Path secureClientConfig() {
        return workDir.resolve(SECURE_CLIENT_CONFIG);
    }

    /**
     * Where {@code imgstream stack up} keeps the stack's key pair for signing model announcements, which the CLI's
     * publishers and scorers use when given no key of their own.
     */
    public Path signingKeysDir() {
        return workDir.resolve(SIGNING_KEYS_DIR);
    }

    /** {@code 127.0.0.1:<brokerPort>}, the value for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /** {@code http://127.0.0.1:<registryPort>}, the registry's base URL (APIs live under {@code /apis}). */
    public String registryUrl() {
        return "http://" + HOST + ":" + registryPort;
    }

    /** The file recording the running stack's processes. */
    public Path stateFile() {
        return StackState.file(workDir);
    }

    /** The directory of the servers' log files. */
    public Path logsDir() {
        return workDir.resolve("logs");
    }

    /** The registry's database (schemas survive a restart of the registry or the stack). */
    public Path registryDir() {
        return workDir.resolve("registry");
    }

    /** The broker's configuration and data directory. */
    public Path kafkaDir() {
        return workDir.resolve("kafka");
    }

    /** The ports by the CLI option that sets each, in a stable order. */
    public Map<String, Integer> portsByOption() {
        return ports(brokerPort, controllerPort, registryPort, registryManagementPort, connectPort, securePort);
    }

    /** Whether the stack runs a Kafka Connect worker. */
    public boolean withConnect() {
        return connectPort != 0;
    }

    /** The Connect worker's REST URL; meaningful only {@link #withConnect() with Connect}. */
    public String connectUrl() {
        return "http://" + HOST + ":" + connectPort;
    }

    /** The Kafka Connect worker's configuration, offsets and classpath. */
    public Path connectDir() {
        return workDir.resolve("connect");
    }

    private static Map<String, Integer> ports(
            int broker, int controller, int registry, int management, int connect, int sasl) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("--broker-port", broker);
        ports.put("--controller-port", controller);
        ports.put("--registry-port", registry);
        ports.put("--registry-management-port", management);
        if (connect != 0) {
            ports.put("--connect-port", connect);
        }
        if (sasl != 0) {
            ports.put("--secure-port", sasl);
        }
        return ports;
    }

    private static void validatePorts(Map<String, Integer> ports) {
        Map<Integer, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            if (port.getValue() < 1 || port.getValue() > MAX_PORT) {
                throw invalid(port.getKey() + " must be between 1 and " + MAX_PORT + ", got " + port.getValue());
            }
            String other = seen.putIfAbsent(port.getValue(), port.getKey());
            if (other != null) {
                throw invalid(other + " and " + port.getKey() + " are both " + port.getValue()
                        + ": give each server its own port");
            }
        }
    }

    private static StackException invalid(String message) {
        return new StackException(StackException.Reason.INVALID_CONFIG, message);
    }
}
