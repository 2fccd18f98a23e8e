package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.ScorerConfig;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * An {@code imgstream score} or {@code imgstream train} process started the way users start it (the assembled CLI
 * under {@code imgstream.home}), for tests that kill, stop and scale scorers and workers. Output goes to
 * {@code <name>.log}.
 */
final class CliProcess {

    private final Process process;
    private final Path log;
    private final String name;

    private CliProcess(Process process, Path log, String name) {
        this.process = process;
        this.log = log;
        this.name = name;
    }

    /**
     * Writes the fixture's scorer settings, plus {@code overrides}, to a properties file for the CLI, with group
     * timeouts short enough that a killed member leaves the group in seconds.
     */
    static Path writeConfig(ScoringFixture fixture, Path imageRoot, Path file, Map<String, String> overrides)
            throws IOException {
        Properties props = new Properties();
        fixture.scorerConfig(imageRoot).originals().forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
        props.remove(ScorerConfig.BOOTSTRAP_SERVERS_CONFIG);
        props.remove(ScorerConfig.REGISTRY_URL_CONFIG);
        props.setProperty(ScorerConfig.METRICS_PROMETHEUS_PORT_CONFIG, "-1");
        props.setProperty(ScorerConfig.METRICS_JMX_ENABLED_CONFIG, "false");
        props.setProperty("kafka.session.timeout.ms", "6000");
        props.setProperty("kafka.heartbeat.interval.ms", "1000");
        props.putAll(overrides);
        try (Writer writer = Files.newBufferedWriter(file)) {
            props.store(writer, "imgstream scorer for an integration test");
        }
        return file;
    }

    /**
     * Starts {@code imgstream <command>} with {@code config} against the stack; its log is {@code <dir>/<name>.log}.
     *
     * @param command  {@code score} or {@code train}
     * @param stateDir its state directory: one per live instance, as on separate machines
     */
    static CliProcess start(
            String command,
            Path config,
            String bootstrapServers,
            String registryUrl,
            Path dir,
            String name,
            Path stateDir)
            throws IOException {
        return start(command, config, bootstrapServers, registryUrl, dir, name, stateDir, List.of());
    }

    /** Starts {@code imgstream score} with {@code config} against {@code stack}, state in {@code dir/NAME-state}. */
    static CliProcess startScorer(Path config, LocalStackExtension stack, Path dir, String name) throws IOException {
        return start(
                "score",
                config,
                stack.bootstrapServers(),
                stack.registryUrl(),
                dir,
                name,
                dir.resolve(name + "-state"));
    }

    /** As {@link #start(String, Path, String, String, Path, String, Path)}, with more command-line arguments. */
    static CliProcess start(
            String command,
            Path config,
            String bootstrapServers,
            String registryUrl,
            Path dir,
            String name,
            Path stateDir,
            List<String> moreArguments)
            throws IOException {
        Path home = Path.of(System.getProperty("imgstream.home"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve(name + ".log");
        List<String> commandLine = new ArrayList<>(List.of(
                java.toString(),
                "-Xmx768m",
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.imgstream.schemas.avro",
                "-cp",
                home.resolve("lib") + "/*",
                "io.imgstream.cli.ImgstreamCommand",
                command,
                "--config",
                config.toString(),
                "--set",
                ScorerConfig.STATE_DIR_CONFIG + "=" + stateDir,
                "--bootstrap-servers",
                bootstrapServers,
                "--registry-url",
                registryUrl));
        commandLine.addAll(moreArguments);
        ProcessBuilder builder = new ProcessBuilder(commandLine);
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        builder.redirectErrorStream(true);
        builder.redirectOutput(log.toFile());
        return new CliProcess(builder.start(), log, name);
    }

    /** Waits until the scorer says it is scoring. */
    CliProcess awaitScoring() {
        await(name + " running").atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            assertThat(process.isAlive()).as("%s alive; log:%n%s", name, tail()).isTrue();
            assertThat(log()).contains("Scoring '");
        });
        return this;
    }

    /** Waits until the log contains {@code text}. */
    CliProcess awaitOutput(String text, Duration timeout) {
        await(name + " printing '" + text + "'").atMost(timeout).untilAsserted(() -> {
            assertThat(process.isAlive()).as("%s alive; log:%n%s", name, tail()).isTrue();
            assertThat(log()).contains(text);
        });
        return this;
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still runs after " + timeout + "; log:\n" + tail());
        }
        return process.exitValue();
    }

    /** SIGKILL: no close, no commit, no leaving the group. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the shutdown hook closes Kafka Streams cleanly. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Whether the process still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** The whole log so far. */
    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private String tail() throws IOException {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /**
     * Counts predictions per image id on the fixture's predictions topic, reading it to its end with
     * {@code isolation} ({@code read_committed} or {@code read_uncommitted}).
     *
     * @param lastVersion filled with the model version of each image's last prediction
     * @return count per image id
     */
    static Map<String, Integer> countPredictions(
            ScoringFixture fixture, RegistrySerdes serdes, String isolation, Map<String, Integer> lastVersion) {
        Map<String, Integer> counts = new HashMap<>();
        TopicRecords.readToEnd(
                fixture.clientProperties(),
                serdes,
                fixture.topics().name(TopicRole.PREDICTIONS),
                isolation,
                (String key, Prediction prediction) -> {
                    counts.merge(prediction.getImageId().toString(), 1, Integer::sum);
                    lastVersion.put(prediction.getImageId().toString(), prediction.getModelVersion());
                });
        return counts;
    }

    /** The committed dead letters of the fixture's dead-letter topic by image id, each as its reason. */
    static Map<String, List<String>> deadLetters(ScoringFixture fixture, RegistrySerdes serdes) {
        Map<String, List<String>> reasons = new HashMap<>();
        TopicRecords.readToEnd(
                fixture.clientProperties(),
                serdes,
                fixture.topics().name(TopicRole.IMAGES_DLQ),
                "read_committed",
                (String key, DeadLetter letter) -> reasons.computeIfAbsent(
                                String.valueOf(letter.getImageId()), id -> new ArrayList<>())
                        .add(letter.getReason().name()));
        return reasons;
    }
}
