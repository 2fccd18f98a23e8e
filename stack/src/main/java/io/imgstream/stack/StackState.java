package io.imgstream.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What a started stack recorded about itself in {@code <work>/stack.json}: its processes and addresses.
 * {@code stack down} and {@code stack status} read it; nothing else is trusted about running processes.
 *
 * @param workDir                the stack's absolute work directory
 * @param brokerPid              process id of the broker JVM
 * @param registryPid            process id of the registry JVM
 * @param bootstrapServers       the broker address for clients, e.g. {@code 127.0.0.1:19092}
 * @param registryUrl            the registry base URL, e.g. {@code http://127.0.0.1:18081}
 * @param brokerPort             the broker's client port
 * @param controllerPort         the broker's KRaft controller port
 * @param registryPort           the registry's HTTP port
 * @param registryManagementPort the registry's management port
 * @param startedAt              when start began, ISO-8601 UTC
 * @param connectPid             process id of the Kafka Connect worker JVM, 0 when the stack runs none
 * @param connectUrl             the Connect worker's REST URL, or null
 * @param connectPort            the Connect worker's REST port, 0 when the stack runs none
 * @param securePort             the broker's TLS + SASL listener port, 0 when it has none
 */
public record StackState(
        String workDir,
        long brokerPid,
        long registryPid,
        String bootstrapServers,
        String registryUrl,
        int brokerPort,
        int controllerPort,
        int registryPort,
        int registryManagementPort,
        String startedAt,
        long connectPid,
        String connectUrl,
        int connectPort,
        int securePort) {

    /** Name of the state file inside the work directory. */
    public static final String FILE_NAME = "stack.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The state file of the stack working in {@code workDir}. */
    public static Path file(Path workDir) {
        return workDir.toAbsolutePath().normalize().resolve(FILE_NAME);
    }

    /**
     * The state recorded in {@code workDir}, or empty if there is none.
     *
     * @throws UncheckedIOException if the file exists but cannot be read or parsed
     */
    public static Optional<StackState> read(Path workDir) {
        Path file = file(workDir);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), StackState.class));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not read the stack state " + file + "; delete it if no stack runs", e);
        }
    }

    /** This state with a broker started again under another pid. */
    public StackState withBroker(long pid) {
        return withProcesses(pid, registryPid, connectPid, connectUrl, connectPort);
    }

    /** This state with a registry started again under another pid. */
    public StackState withRegistry(long pid) {
        return withProcesses(brokerPid, pid, connectPid, connectUrl, connectPort);
    }

    /** This state with the Connect worker that was started after it was first written. */
    public StackState withConnect(long pid, String url, int port) {
        return withProcesses(brokerPid, registryPid, pid, url, port);
    }

    private StackState withProcesses(long broker, long registry, long connect, String connectAt, int connectOn) {
        return new StackState(
                workDir,
                broker,
                registry,
                bootstrapServers,
                registryUrl,
                brokerPort,
                controllerPort,
                registryPort,
                registryManagementPort,
                startedAt,
                connect,
                connectAt,
                connectOn,
                securePort);
    }

    /** Writes this state to its work directory, replacing any previous one at once (never half-written). */
    public void write() {
        Path file = file(Path.of(workDir));
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        try {
            JSON.writeValue(temporary.toFile(), this);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the stack state " + file, e);
        }
    }

    /** Deletes the state file of {@code workDir} if there is one. */
    public static void delete(Path workDir) {
        try {
            Files.deleteIfExists(file(workDir));
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the stack state in " + workDir, e);
        }
    }
}
