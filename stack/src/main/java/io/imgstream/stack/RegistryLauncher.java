package io.imgstream.stack;

import io.imgstream.schemas.RegistryAdmin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs the Apicurio Registry server unpacked by the ops build ({@code <imgstream.home>/registry}) in its
 * own detached JVM on Java 21+, with both its HTTP and management listeners on 127.0.0.1. Storage is in
 * memory: schemas live as long as the process. Not thread-safe; one launcher per start.
 */
final class RegistryLauncher {

    /** System property naming the unpacked imgstream distribution; the launcher script sets it. */
    static final String HOME_PROPERTY = "imgstream.home";

    static final String RUNNER_JAR = "quarkus-run.jar";

    private static final String REGISTRY_HEAP = "-Xmx512m";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    private static final int SEARCH_DEPTH = 4;

    private final StackConfig config;

    RegistryLauncher(StackConfig config) {
        this.config = config;
    }

    /**
     * The registry's {@value #RUNNER_JAR} under {@code <home>/registry}.
     *
     * @param home the imgstream distribution directory, or {@code null} when the property is unset
     * @throws StackException with {@link StackException.Reason#NOT_BUILT} if it is not there
     */
    static Path locateRunnerJar(String home) {
        String buildHint = "build it with 'mvn -pl ops -am package -DskipTests' (or just run ./imgstream once)";
        if (home == null || home.isBlank()) {
            throw new StackException(
                    StackException.Reason.NOT_BUILT,
                    "The system property " + HOME_PROPERTY
                            + " is not set, so the schema registry cannot be found: start imgstream through the "
                            + "./imgstream "
                            + "launcher, or pass -D" + HOME_PROPERTY + "=<repo>/ops/target/imgstream after you "
                            + buildHint);
        }
        Path registryDir = Path.of(home).toAbsolutePath().normalize().resolve("registry");
        Optional<Path> jar = Optional.empty();
        if (Files.isDirectory(registryDir)) {
            try (Stream<Path> files = Files.walk(registryDir, SEARCH_DEPTH)) {
                jar = files.filter(path -> path.getFileName().toString().equals(RUNNER_JAR))
                        .findFirst();
            } catch (IOException e) {
                jar = Optional.empty();
            }
        }
        return jar.orElseThrow(() -> new StackException(
                StackException.Reason.NOT_BUILT,
                "The schema registry is not unpacked under " + registryDir + " (no " + RUNNER_JAR + "): " + buildHint));
    }

    /** Starts the registry detached with the Java at {@code javaHome}; it keeps running after this JVM exits. */
    ProcessHandle start(Path javaHome, Path runnerJar) {
        List<String> command = new ArrayList<>();
        command.add(JvmLauncher.javaBinary(javaHome));
        command.addAll(StackComponent.REGISTRY.markerArguments(config.workDir()));
        command.add(REGISTRY_HEAP);
        command.add("-Dquarkus.http.host=" + StackConfig.HOST);
        command.add("-Dquarkus.http.port=" + config.registryPort());
        // Apicurio is built with the management interface on; disabling it is a build-time setting, so bind it here.
        command.add("-Dquarkus.management.host=" + StackConfig.HOST);
        command.add("-Dquarkus.management.port=" + config.registryManagementPort());
        command.add("-Dquarkus.otel.sdk.disabled=true");
        // A file database instead of the default in-memory one: schema ids stay the same across restarts, so
        // records written before a restart still resolve after it.
        command.add("-Dapicurio.datasource.url=jdbc:h2:file:"
                + config.registryDir().toAbsolutePath().resolve("schemas"));
        command.add("-jar");
        command.add(runnerJar.toString());
        return JvmLauncher.startDetached(command, config.workDir(), StackComponent.REGISTRY.logFile(config));
    }

    /**
     * Waits until the registry answers its Confluent-compatible API.
     *
     * @throws StackException with {@link StackException.Reason#START_FAILED} if the process dies or
     *                        {@code deadline} passes first
     */
    void awaitReady(ProcessHandle registry, Instant deadline) {
        RegistryAdmin admin = new RegistryAdmin(config.registryUrl(), PROBE_TIMEOUT);
        LocalStack.awaitReady(StackComponent.REGISTRY, config, registry, deadline, admin::isReachable);
    }
}
