package io.imgstream.stack;

import io.imgstream.schemas.RegistrySerdes;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A handle on a started local stack. The servers run in their own processes and keep running when this
 * handle is dropped or this JVM exits; only {@link #stop()} (or {@code imgstream stack down}) stops them.
 * Thread-safe.
 */
public final class RunningStack implements AutoCloseable {

    private final StackState state;

    RunningStack(StackState state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    /** The broker address for {@code bootstrap.servers}, e.g. {@code 127.0.0.1:19092}. */
    public String bootstrapServers() {
        return state.bootstrapServers();
    }

    /** The registry's base URL, e.g. {@code http://127.0.0.1:18081}; see {@link RegistrySerdes} for its APIs. */
    public String registryUrl() {
        return state.registryUrl();
    }

    /** The registry's native v3 API URL, as Apicurio's serdes want it. */
    public String registryNativeApiUrl() {
        return RegistrySerdes.nativeApiUrl(state.registryUrl());
    }

    /** The registry's Confluent-compatible API URL, for Confluent clients in any language. */
    public String registryCcompatApiUrl() {
        return RegistrySerdes.ccompatApiUrl(state.registryUrl());
    }

    /** The stack's work directory (data, logs, state file). */
    public Path workDir() {
        return Path.of(state.workDir());
    }

    /** When the stack was started. */
    public Instant startedAt() {
        return Instant.parse(state.startedAt());
    }

    /** The Kafka Connect worker's REST URL, when the stack runs one. */
    public Optional<String> connectUrl() {
        return Optional.ofNullable(state.connectUrl());
    }

    /** The broker's TLS + SASL listener address, when the stack was started with one. */
    public Optional<String> secureBootstrapServers() {
        return state.securePort() == 0 ? Optional.empty() : Optional.of(StackConfig.HOST + ":" + state.securePort());
    }

    /** The client settings file for the secure listener (see {@link StackConfig#secureClientConfig()}). */
    public Path secureClientConfig() {
        return workDir().resolve(StackConfig.SECURE_CLIENT_CONFIG);
    }

    /** Everything the stack recorded about itself, pids included. */
    public StackState state() {
        return state;
    }

    /**
     * Stops the stack's processes and removes its state file; see {@link LocalStack#stop(Path)}.
     * Idempotent: a second call finds nothing to stop.
     */
    public void stop() {
        LocalStack.stop(workDir());
    }

    /** Same as {@link #stop()}, for try-with-resources. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "RunningStack[bootstrap=" + bootstrapServers() + ", registry=" + registryUrl() + ", workDir="
                + state.workDir() + "]";
    }
}
