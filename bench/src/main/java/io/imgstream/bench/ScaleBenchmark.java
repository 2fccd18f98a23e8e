package io.imgstream.bench;

import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.clients.tail.TopicTail;
import io.imgstream.images.FetchSettings;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.stack.JvmLauncher;
import io.imgstream.stack.RunningStack;
import io.imgstream.topology.ScorerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Scoring throughput against the number of scorer processes sharing one application id, in one run on one
 * machine. For each instance count: fresh topics, that many {@code imgstream score} JVMs started and left to
 * settle into one consumer group, a backlog of references published, and the committed predictions read back:
 * the rate comes from their scored times, and every image must have exactly one.
 *
 * <p>Each instance gets {@code threadsPerInstance} native compute threads ({@code OMP_NUM_THREADS}), so on a
 * machine with C cores the instances should scale until they hold about C threads between them; the broker and
 * registry share the same cores.
 */
public final class ScaleBenchmark {

    private static final String MAIN_CLASS = "io.imgstream.cli.ImgstreamCommand";
    private static final List<String> INHERITED_PROPERTIES =
            List.of("org.apache.avro.SERIALIZABLE_PACKAGES", "org.bytedeco.javacpp.maxphysicalbytes");
    private static final Duration INSTANCE_START = Duration.ofSeconds(180);
    // Joins after the first instance start rebalances; the group settles before the backlog goes in.
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final Duration RESULTS_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    /**
     * @param instances          the instance counts to measure, in order
     * @param images             references per run
     * @param network            the network to score with
     * @param inputSize          side of its square input, pixels
     * @param batchSize          batch.size of every instance
     * @param lingerMs           batch.linger.ms of every instance
     * @param threadsPerInstance native compute threads per instance
     * @param partitions         partitions of the input topic, the most instances that can share the work
     */
    public record Settings(
            List<Integer> instances,
            int images,
            ScoreBenchmark.Network network,
            int inputSize,
            int batchSize,
            long lingerMs,
            int threadsPerInstance,
            int partitions) {}

    /**
     * One instance count's figures.
     *
     * @param instances       scorer processes
     * @param imagesPerSecond committed predictions per second, all instances together
     * @param predicted       images with a committed prediction
     * @param duplicates      images with more than one
     * @param missing         images with none
     */
    public record Run(int instances, double imagesPerSecond, int predicted, int duplicates, int missing) {}

    private final RunningStack stack;
    private final Path workDir;
    private final PrintWriter progress;

    /**
     * @param stack    the broker and registry to run on
     * @param workDir  where bundles, images, configurations, state and the instances' logs go
     * @param progress where progress lines go
     */
    public ScaleBenchmark(RunningStack stack, Path workDir, PrintWriter progress) {
        this.stack = stack;
        this.workDir = workDir;
        this.progress = progress;
    }

    /** Measures every instance count of {@code settings}. */
    public List<Run> run(Settings settings) throws Exception {
        Files.createDirectories(workDir);
        StoredBundle bundle = new FileSystemModelStore(workDir.resolve("models-" + UUID.randomUUID()))
                .save(BenchInputs.bundle(1, settings.network(), settings.inputSize()));
        List<Path> files = BenchInputs.writeImages(workDir.resolve("images"), settings.inputSize());
        List<Run> runs = new ArrayList<>();
        for (int instances : settings.instances()) {
            progress.printf("%d scorer instance(s)...%n", instances);
            progress.flush();
            runs.add(measure(instances, bundle, files, settings));
        }
        return runs;
    }

    private Run measure(int count, StoredBundle bundle, List<Path> files, Settings settings) throws Exception {
        TopicCatalog topics = BenchInputs.freshTopics(stack.bootstrapServers(), settings.partitions());
        Path runDir = Files.createDirectories(workDir.resolve("instances-" + count + "-" + UUID.randomUUID()));
        Path config = writeConfig(runDir.resolve("scorer.properties"), bundle, topics, files, settings);
        List<Instance> instances = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                instances.add(Instance.start(runDir, i, config, stack, settings.threadsPerInstance()));
            }
            for (Instance instance : instances) {
                instance.awaitScoring(INSTANCE_START);
            }
            TimeUnit.MILLISECONDS.sleep(SETTLE.toMillis());
            RegistrySerdes serdes = RegistrySerdes.forRegistry(stack.registryUrl());
            Properties clients = BenchInputs.clientProperties(stack.bootstrapServers());
            List<String> ids = new ArrayList<>();
            try (ImagePublisher publisher = new ImagePublisher(clients, serdes, topics.name(TopicRole.IMAGES))) {
                for (int i = 0; i < settings.images(); i++) {
                    var ref = BenchInputs.ref(files, i, "s" + count);
                    ids.add(ref.getId());
                    publisher.publish(ref);
                }
                publisher.flush();
            }
            Map<String, Prediction> first = new HashMap<>();
            Map<String, Integer> counts = new HashMap<>();
            try (TopicTail tail = new TopicTail(clients, serdes, List.of(topics.name(TopicRole.PREDICTIONS)), true)) {
                long deadline = System.nanoTime() + RESULTS_TIMEOUT.toNanos();
                while (first.size() < ids.size() && System.nanoTime() < deadline) {
                    for (Instance instance : instances) {
                        instance.requireAlive();
                    }
                    tail.follow(
                            Long.MAX_VALUE,
                            Duration.ofSeconds(1),
                            record -> {
                                Prediction prediction = (Prediction) record.value();
                                String id = prediction.getImageId().toString();
                                first.putIfAbsent(id, prediction);
                                counts.merge(id, 1, Integer::sum);
                            },
                            problem -> {});
                }
                // A duplicate would be committed by now.
                tail.follow(
                        Long.MAX_VALUE,
                        Duration.ofSeconds(3),
                        record -> counts.merge(
                                ((Prediction) record.value()).getImageId().toString(), 1, Integer::sum),
                        problem -> {});
            }
            int duplicates = (int) counts.values().stream().filter(c -> c > 1).count();
            int missing =
                    (int) ids.stream().filter(id -> !first.containsKey(id)).count();
            double rate = first.isEmpty() ? 0 : BenchInputs.steadyRate(first.values());
            return new Run(count, rate, first.size(), duplicates, missing);
        } finally {
            for (Instance instance : instances) {
                instance.stop();
            }
        }
    }

    private Path writeConfig(Path file, StoredBundle bundle, TopicCatalog topics, List<Path> files, Settings settings)
            throws IOException {
        Properties props = new Properties();
        props.setProperty(ScorerConfig.APPLICATION_ID_CONFIG, "bench-scale-" + UUID.randomUUID());
        props.setProperty(
                ScorerConfig.MODEL_BUNDLE_CONFIG, Path.of(bundle.uri()).toString());
        props.setProperty(ScorerConfig.MODEL_BUNDLE_SHA256_CONFIG, bundle.sha256());
        props.setProperty(
                FetchSettings.ALLOWED_ROOTS_CONFIG, files.get(0).getParent().toString());
        props.setProperty(ScorerConfig.BATCH_SIZE_CONFIG, String.valueOf(settings.batchSize()));
        props.setProperty(ScorerConfig.BATCH_LINGER_MS_CONFIG, String.valueOf(settings.lingerMs()));
        // Several instances on one machine: no fixed ports to collide on.
        props.setProperty(ScorerConfig.METRICS_PROMETHEUS_PORT_CONFIG, "-1");
        props.setProperty(ScorerConfig.METRICS_JMX_ENABLED_CONFIG, "false");
        for (TopicRole role : TopicRole.values()) {
            props.setProperty(ScorerConfig.TOPIC_NAME_PREFIX + role.defaultName(), topics.name(role));
        }
        try (Writer writer = Files.newBufferedWriter(file)) {
            props.store(writer, "imgstream bench scale: one configuration for every instance of a run");
        }
        return file;
    }

    /** One {@code imgstream score} JVM of a run, logging to its own file. */
    private record Instance(Process process, Path log, String name) {

        static Instance start(Path runDir, int index, Path config, RunningStack stack, int threads) throws IOException {
            String name = "scorer-" + index;
            Path log = runDir.resolve(name + ".log");
            List<String> jvmOptions = new ArrayList<>(List.of("-Xmx1g"));
            // The launcher's settings for Avro's trusted packages and JavaCPP's off-heap limit, passed on.
            for (String property : INHERITED_PROPERTIES) {
                String value = System.getProperty(property);
                if (value != null) {
                    jvmOptions.add("-D" + property + "=" + value);
                }
            }
            List<String> arguments = List.of(
                    "score",
                    "--config",
                    config.toString(),
                    "--bootstrap-servers",
                    stack.bootstrapServers(),
                    "--registry-url",
                    stack.registryUrl(),
                    "--set",
                    ScorerConfig.STATE_DIR_CONFIG + "=" + runDir.resolve(name + "-state"));
            ProcessBuilder builder = JvmLauncher.sameCodeJvm(
                    runDir.resolve(name + ".classpath.args"), jvmOptions, MAIN_CLASS, arguments);
            builder.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
            builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            return new Instance(builder.start(), log, name);
        }

        void awaitScoring(Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!Files.readString(log).contains("Scoring '")) {
                requireAlive();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " was not scoring within " + timeout + "; see " + log);
                }
                TimeUnit.MILLISECONDS.sleep(250);
            }
        }

        void requireAlive() {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Formats the runs as a Markdown table, each rate also relative to the first run's. */
    public static void print(List<Run> runs, Settings settings, PrintWriter out) {
        out.println();
        out.printf(
                Locale.ROOT,
                "%s at %dx%d, batch.size=%d, batch.linger.ms=%d, exactly_once_v2, %d references "
                        + "per run, "
                        + "%d input partitions, %d compute thread(s) per instance, %d cores.%n%n",
                settings.network(),
                settings.inputSize(),
                settings.inputSize(),
                settings.batchSize(),
                settings.lingerMs(),
                settings.images(),
                settings.partitions(),
                settings.threadsPerInstance(),
                Runtime.getRuntime().availableProcessors());
        out.println("| instances | img/s, all instances | vs first row | images predicted | duplicates | missing |");
        out.println("|---:|---:|---:|---:|---:|---:|");
        double base = runs.isEmpty() ? Double.NaN : runs.get(0).imagesPerSecond();
        for (Run run : runs) {
            out.printf(
                    Locale.ROOT,
                    "| %d | %.1f | %.2f | %d | %d | %d |%n",
                    run.instances(),
                    run.imagesPerSecond(),
                    run.imagesPerSecond() / base,
                    run.predicted(),
                    run.duplicates(),
                    run.missing());
        }
    }
}
