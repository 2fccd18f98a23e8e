package io.imgstream.bench;

import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.clients.tail.TopicTail;
import io.imgstream.control.ModelAnnouncements;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.images.FetchSettings;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.inference.BundleScorer;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.stack.RunningStack;
import io.imgstream.topology.ScorerApp;
import io.imgstream.topology.ScorerConfig;
import io.imgstream.topology.metrics.BatchCloseReason;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.swap.BundleLoader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The scoring pipeline measured against the model alone, in one run on one machine (ratios, not absolutes): every
 * phase uses the same network, the same images and a real broker and registry with {@code exactly_once_v2}.
 *
 * <ol>
 *   <li>Throughput per batch size: {@code images} references are published, a scorer is started, and its rate
 *   is taken from the predictions' scored times; the same images decoded in memory go through
 *   {@link BundleScorer#score} in batches of that size for the raw rate.</li>
 *   <li>Latency and swaps: references arrive at a fixed fraction of the measured capacity; latency is from
 *   publishing to the committed prediction being read. Meanwhile new versions are promoted on the control topic
 *   and the time to the first prediction carrying each is taken, against the time to load that version's bundle
 *   alone ({@link #SWAP_GOAL_OVER_LOAD}). Every image must get exactly one prediction.</li>
 * </ol>
 */
public final class ScoreBenchmark {

    private static final int PARTITIONS = 3;
    private static final Duration SCORER_START = Duration.ofSeconds(90);
    private static final Duration RESULTS_TIMEOUT = Duration.ofMinutes(5);
    private static final String STREAM_THREAD_METRICS = "stream-thread-metrics";
    private static final String COMMIT_TOTAL = "commit-total";
    private static final String COMMIT_LATENCY_AVG = "commit-latency-avg";

    /**
     * @param images         references per throughput run
     * @param network        which network to score with
     * @param inputSize      side of the square network input, pixels
     * @param batchSizes     batch sizes of the throughput runs; the first is also the latency run's
     * @param lingerMs       batch.linger.ms of every run
     * @param loadFraction   offered load of the latency run, as a fraction of that batch size's measured capacity
     * @param latencyImages  references of the latency run
     * @param swaps          versions promoted during the latency run
     */
    public record Settings(
            int images,
            Network network,
            int inputSize,
            List<Integer> batchSizes,
            long lingerMs,
            double loadFraction,
            int latencyImages,
            int swaps) {}

    /** The networks the benchmark can score with, all with random weights (speed does not depend on them). */
    public enum Network {
        /** Two convolutions and a dense layer: cheap enough that the pipeline's own costs show. */
        SMALL,
        /** The VGG16 conv base with a Dense(256)-Dropout(0.5) head, as the product's transfer-learned models are. */
        VGG16
    }

    /** A swap's goal: its first prediction within this long after the bundle load, at the 99th percentile. */
    public static final Duration SWAP_GOAL_OVER_LOAD = Duration.ofSeconds(1);

    /**
     * One promoted version.
     *
     * @param version    the version
     * @param adoptionMs announcement to the first prediction's scored time, or -1 when no prediction carries it
     *                   (the next version was announced before a batch ran with this one)
     * @param loadMs     loading and verifying its bundle and building its scorer, as the watcher does first,
     *                   measured alone before the latency run
     */
    public record Swap(int version, long adoptionMs, double loadMs) {

        /** What the swap took beyond the bundle load: warm-up, sizing, the switch, the next batch. */
        public double overLoadMs() {
            return adoptionMs - loadMs;
        }
    }

    /**
     * Rates of one batch size.
     *
     * @param batchSize               the scorer's batch.size and the raw batches' size
     * @param pipelineImagesPerSecond the scorer's steady rate
     * @param rawImagesPerSecond      {@link BundleScorer#score} alone on decoded images
     * @param breakdown               where the pipeline run's time went
     */
    public record Throughput(
            int batchSize, double pipelineImagesPerSecond, double rawImagesPerSecond, Breakdown breakdown) {}

    /**
     * Where one pipeline run's time went, from the first image's arrival to the last prediction: what each of the
     * scorer's threads did, from the predictions' own latency fields, the scorer's metrics and Kafka Streams'.
     *
     * @param wallSeconds              from the first image's arrival at the scorer to the last prediction's scored
     *                                 time
     * @param images                   predictions
     * @param fetchThreads             the fetch pool's threads
     * @param fetchMsPerImage          fetching and decoding one image, mean
     * @param fetchSeconds             fetching and decoding, all images
     * @param passes                   forward passes
     * @param inferenceSeconds         forward passes (preprocessing, base and head), all of them: the inference
     *                                 thread's busy time
     * @param streamFetchWaitSeconds   the stream thread's waits for fetches as batches closed
     * @param streamInferenceWaitSeconds the stream thread's waits for forward passes, its batcher being full
     * @param commitSeconds            the stream thread's commits (Kafka Streams' commit-latency-avg times
     *                                 commit-total): flushing the producer and stores, committing the transaction
     * @param commits                  commits
     * @param lingerClosed             batches closed by {@code batch.linger.ms} before they were full
     * @param fullClosed               batches closed full
     * @param processCpu               share of all the machine's cores this process (scorer, fetch pool, oneDNN,
     *                                 Kafka clients) used meanwhile
     * @param machineCpu               share of all the machine's cores busy meanwhile, whoever used them (the
     *                                 broker and registry, anything else running); NaN where unknown
     */
    public record Breakdown(
            double wallSeconds,
            int images,
            int fetchThreads,
            double fetchMsPerImage,
            double fetchSeconds,
            int passes,
            double inferenceSeconds,
            double streamFetchWaitSeconds,
            double streamInferenceWaitSeconds,
            double commitSeconds,
            long commits,
            long lingerClosed,
            long fullClosed,
            double processCpu,
            double machineCpu) {

        /** Share of the fetch pool's capacity spent fetching and decoding. */
        public double fetchPoolBusy() {
            return fetchSeconds / (fetchThreads * wallSeconds);
        }

        /** Share of the run the inference thread spent in forward passes. */
        public double inferenceBusy() {
            return inferenceSeconds / wallSeconds;
        }

        /** Forward-pass time per image in the pipeline, milliseconds. */
        public double inferenceMsPerImage() {
            return 1000 * inferenceSeconds / images;
        }
    }

    /**
     * The latency run's figures.
     *
     * @param offeredPerSecond  offered load
     * @param p50Ms             median publish-to-read latency
     * @param p99Ms             99th percentile
     * @param inferenceMs       median forward pass of a batch
     * @param meanBatch         mean images per forward pass
     * @param swaps             every promoted version, in order
     * @param predictions       predictions read
     * @param duplicates        images with more than one prediction
     * @param missing           images with none
     */
    public record Latency(
            double offeredPerSecond,
            double p50Ms,
            double p99Ms,
            double inferenceMs,
            double meanBatch,
            List<Swap> swaps,
            int predictions,
            int duplicates,
            int missing) {

        /** The 99th percentile of {@link Swap#overLoadMs()}; infinite when a version was never adopted. */
        public double swapOverLoadP99Ms() {
            if (swaps.stream().anyMatch(swap -> swap.adoptionMs() < 0)) {
                return Double.POSITIVE_INFINITY;
            }
            List<Long> over = swaps.stream()
                    .map(swap -> Math.round(swap.overLoadMs()))
                    .sorted()
                    .toList();
            return percentile(over, 0.99);
        }

        /** Whether the swaps met {@link #SWAP_GOAL_OVER_LOAD} at the 99th percentile. */
        public boolean swapGoalMet() {
            return !swaps.isEmpty() && swapOverLoadP99Ms() <= SWAP_GOAL_OVER_LOAD.toMillis();
        }
    }

    /** Everything measured. */
    public record Report(List<Throughput> throughput, Latency latency) {}

    private final RunningStack stack;
    private final Path workDir;
    private final PrintWriter progress;

    /**
     * @param stack   the broker and registry to run on
     * @param workDir where bundles, images and Streams state go
     * @param progress where progress lines go
     */
    public ScoreBenchmark(RunningStack stack, Path workDir, PrintWriter progress) {
        this.stack = stack;
        this.workDir = workDir;
        this.progress = progress;
    }

    /** Runs every phase. */
    public Report run(Settings settings) throws Exception {
        Files.createDirectories(workDir);
        FileSystemModelStore store = new FileSystemModelStore(workDir.resolve("models-" + UUID.randomUUID()));
        StoredBundle v1 = store.save(BenchInputs.bundle(1, settings.network(), settings.inputSize()));
        List<Path> files = BenchInputs.writeImages(workDir.resolve("images"), settings.inputSize());
        List<Throughput> throughput = new ArrayList<>();
        for (int batchSize : settings.batchSizes()) {
            progress.println("Throughput at batch size " + batchSize + "...");
            progress.flush();
            double raw = rawRate(v1, files, batchSize, settings.images());
            PipelineRun pipeline = pipelineRun(store, v1, files, batchSize, settings);
            throughput.add(new Throughput(batchSize, pipeline.imagesPerSecond(), raw, pipeline.breakdown()));
        }
        int latencyBatch = settings.batchSizes().get(0);
        double capacity = throughput.get(0).pipelineImagesPerSecond();
        progress.printf(
                Locale.ROOT,
                "Latency at %.0f images/s with %d swaps...%n",
                capacity * settings.loadFraction(),
                settings.swaps());
        progress.flush();
        Latency latency = latencyAndSwaps(store, v1, files, latencyBatch, capacity * settings.loadFraction(), settings);
        return new Report(throughput, latency);
    }

    private double rawRate(StoredBundle stored, List<Path> files, int batchSize, int images) throws IOException {
        List<BufferedImage> decoded = new ArrayList<>();
        for (Path file : files) {
            decoded.add(ImageIO.read(file.toFile()));
        }
        try (BundleScorer scorer = new BundleScorer(BundleFile.readVerified(Path.of(stored.uri()), stored.sha256()))) {
            scorer.score(batch(decoded, 0, batchSize));
            int batches = Math.max(1, images / batchSize);
            long started = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                scorer.score(batch(decoded, i * batchSize, batchSize));
            }
            return batches * batchSize / ((System.nanoTime() - started) / 1e9);
        }
    }

    private static List<BufferedImage> batch(List<BufferedImage> images, int from, int size) {
        List<BufferedImage> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(images.get((from + i) % images.size()));
        }
        return batch;
    }

    private record PipelineRun(double imagesPerSecond, Breakdown breakdown) {}

    private PipelineRun pipelineRun(
            FileSystemModelStore store, StoredBundle stored, List<Path> files, int batchSize, Settings settings)
            throws Exception {
        TopicCatalog topics = BenchInputs.freshTopics(stack.bootstrapServers(), PARTITIONS);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(stack.registryUrl());
        try (ImagePublisher publisher = new ImagePublisher(clients(), serdes, topics.name(TopicRole.IMAGES))) {
            for (int i = 0; i < settings.images(); i++) {
                publisher.publish(BenchInputs.ref(files, i, "t" + batchSize));
            }
            publisher.flush();
        }
        List<Prediction> predictions = new ArrayList<>();
        ScorerConfig config = scorerConfig(store, stored, topics, batchSize, settings.lingerMs(), files);
        long runningAtMs;
        ScorerMetrics metrics;
        Commits commits;
        double processCpu;
        double machineCpu;
        try (ScorerApp scorer = ScorerApp.start(config);
                TopicTail tail = new TopicTail(clients(), serdes, List.of(topics.name(TopicRole.PREDICTIONS)), true)) {
            requireRunning(scorer);
            runningAtMs = System.currentTimeMillis();
            CpuSample cpuAtStart = CpuSample.now();
            long deadline = System.nanoTime() + RESULTS_TIMEOUT.toNanos();
            while (predictions.size() < settings.images() && System.nanoTime() < deadline) {
                tail.follow(
                        settings.images() - predictions.size(),
                        Duration.ofSeconds(2),
                        record -> predictions.add((Prediction) record.value()),
                        problem -> {});
            }
            metrics = scorer.metrics();
            commits = commits(scorer);
            CpuSample cpuAtEnd = CpuSample.now();
            processCpu = cpuAtEnd.processShareSince(cpuAtStart);
            machineCpu = cpuAtEnd.machineShareSince(cpuAtStart).orElse(Double.NaN);
        }
        if (predictions.size() < settings.images()) {
            throw new IllegalStateException("only " + predictions.size() + " of " + settings.images()
                    + " predictions arrived within " + RESULTS_TIMEOUT);
        }
        return new PipelineRun(
                BenchInputs.steadyRate(predictions),
                breakdown(predictions, runningAtMs, config.fetchThreads(), metrics, commits, processCpu, machineCpu));
    }

    private static Breakdown breakdown(
            List<Prediction> predictions,
            long runningAtMs,
            int fetchThreads,
            ScorerMetrics metrics,
            Commits commits,
            double processCpu,
            double machineCpu) {
        // RUNNING is seen a poll after processing starts: the first image's arrival, where earlier, starts the run.
        long startMs = Math.min(
                runningAtMs,
                predictions.stream()
                        .mapToLong(p -> p.getScoredTime().toEpochMilli()
                                - (long) (p.getLatency().getQueueMs()
                                        + p.getLatency().getInferenceMs()))
                        .min()
                        .orElseThrow());
        long lastScoredMs = predictions.stream()
                .mapToLong(p -> p.getScoredTime().toEpochMilli())
                .max()
                .orElseThrow();
        double fetchMs = predictions.stream()
                .mapToDouble(p -> p.getLatency().getFetchMs())
                .sum();
        // Images of one pass share its id and its forward-pass time: count each pass once.
        Map<String, Double> passes = new HashMap<>();
        predictions.forEach(
                p -> passes.put(p.getBatchId().toString(), p.getLatency().getInferenceMs()));
        double inferenceMs =
                passes.values().stream().mapToDouble(Double::doubleValue).sum();
        return new Breakdown(
                (lastScoredMs - startMs) / 1e3,
                predictions.size(),
                fetchThreads,
                fetchMs / predictions.size(),
                fetchMs / 1e3,
                passes.size(),
                inferenceMs / 1e3,
                metrics.registry().counter(ScorerMetrics.STREAM_FETCH_WAIT).getCount() / 1e9,
                metrics.registry().counter(ScorerMetrics.STREAM_INFERENCE_WAIT).getCount() / 1e9,
                commits.seconds(),
                commits.count(),
                metrics.registry()
                        .meter(ScorerMetrics.BATCHES_CLOSED + "." + BatchCloseReason.LINGER.name())
                        .getCount(),
                metrics.registry()
                        .meter(ScorerMetrics.BATCHES_CLOSED + "." + BatchCloseReason.FULL.name())
                        .getCount(),
                processCpu,
                machineCpu);
    }

    /** The stream threads' commits: how many, and how long they took in all. */
    private record Commits(long count, double seconds) {}

    /**
     * Kafka Streams' thread-level commit figures: per thread, commit-total times commit-latency-avg (the average of
     * its recent sample windows, which cover a run of a minute or two), summed over the threads.
     */
    private static Commits commits(ScorerApp scorer) {
        Map<String, Double> totals = new HashMap<>();
        Map<String, Double> averageMs = new HashMap<>();
        scorer.parts().streams().metrics().forEach((name, metric) -> {
            if (STREAM_THREAD_METRICS.equals(name.group()) && metric.metricValue() instanceof Double value) {
                String thread = name.tags().getOrDefault("thread-id", "");
                if (COMMIT_TOTAL.equals(name.name())) {
                    totals.put(thread, value);
                } else if (COMMIT_LATENCY_AVG.equals(name.name()) && !value.isNaN()) {
                    averageMs.put(thread, value);
                }
            }
        });
        double seconds = totals.entrySet().stream()
                .mapToDouble(e -> e.getValue() * averageMs.getOrDefault(e.getKey(), 0.0) / 1e3)
                .sum();
        long count =
                (long) totals.values().stream().mapToDouble(Double::doubleValue).sum();
        return new Commits(count, seconds);
    }

    private Latency latencyAndSwaps(
            FileSystemModelStore store,
            StoredBundle v1,
            List<Path> files,
            int batchSize,
            double rate,
            Settings settings)
            throws Exception {
        TopicCatalog topics = BenchInputs.freshTopics(stack.bootstrapServers(), PARTITIONS);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(stack.registryUrl());
        Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
        Map<Integer, Long> firstScored = new ConcurrentHashMap<>();
        List<StoredBundle> versions = new ArrayList<>();
        for (int v = 2; v <= settings.swaps() + 1; v++) {
            versions.add(store.save(BenchInputs.bundle(v, settings.network(), settings.inputSize())));
        }
        // What the watcher does first, off the hot path, for each swap: read, verify, build the scorer.
        BundleLoader loader = new BundleLoader(store.root(), null);
        Map<Integer, Double> loadMs = new HashMap<>();
        for (StoredBundle version : versions) {
            long loadStarted = System.nanoTime();
            new BundleScorer(loader.load(announcement(version))).close();
            loadMs.put(version.version(), (System.nanoTime() - loadStarted) / 1e6);
        }
        Map<Integer, Long> announced = new HashMap<>();
        double inferenceMs;
        double meanBatch;
        List<String> ids = new ArrayList<>();
        try (ScorerApp scorer =
                        ScorerApp.start(scorerConfig(store, v1, topics, batchSize, settings.lingerMs(), files));
                TopicTail tail = new TopicTail(clients(), serdes, List.of(topics.name(TopicRole.PREDICTIONS)), false);
                ImagePublisher publisher = new ImagePublisher(clients(), serdes, topics.name(TopicRole.IMAGES));
                KafkaProducer<String, SpecificRecord> control =
                        new KafkaProducer<>(clients(), new StringSerializer(), serdes.valueSerializer())) {
            requireRunning(scorer);
            Thread reader = new Thread(
                    () -> {
                        try {
                            while (!Thread.currentThread().isInterrupted()) {
                                tail.follow(
                                        Long.MAX_VALUE,
                                        Duration.ofMillis(500),
                                        record -> {
                                            Prediction p = (Prediction) record.value();
                                            long now = System.currentTimeMillis();
                                            latencies
                                                    .computeIfAbsent(
                                                            p.getImageId().toString(), k -> new ArrayList<>())
                                                    .add(now - p.getEventTime().toEpochMilli());
                                            firstScored.merge(
                                                    p.getModelVersion(),
                                                    p.getScoredTime().toEpochMilli(),
                                                    Math::min);
                                        },
                                        problem -> {});
                            }
                        } catch (InterruptException stopped) {
                            // The measurement is over: the interrupt is how the reader is told to stop.
                        }
                    },
                    "bench-reader");
            reader.setDaemon(true);
            reader.start();
            long intervalNanos = (long) (1e9 / rate);
            int swapEvery = settings.latencyImages() / (settings.swaps() + 1);
            long next = System.nanoTime();
            for (int i = 0; i < settings.latencyImages(); i++) {
                if (i > 0 && i % swapEvery == 0 && i / swapEvery <= versions.size()) {
                    StoredBundle version = versions.get(i / swapEvery - 1);
                    long at = System.currentTimeMillis();
                    control.send(new ProducerRecord<>(
                                    topics.name(TopicRole.MODEL_VERSIONS),
                                    ModelVersionKeys.current(BenchInputs.MODEL_NAME),
                                    announcement(version)))
                            .get();
                    announced.put(version.version(), at);
                }
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next += intervalNanos;
                ImageRef ref = BenchInputs.ref(files, i, "l");
                ids.add(ref.getId());
                publisher.publish(
                        ImageRef.newBuilder(ref).setEventTime(Instant.now()).build());
            }
            publisher.flush();
            long deadline = System.nanoTime() + RESULTS_TIMEOUT.toNanos();
            while (!latencies.keySet().containsAll(ids) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
            TimeUnit.SECONDS.sleep(2); // a duplicate would be committed by now
            reader.interrupt();
            reader.join(Duration.ofSeconds(5).toMillis());
            inferenceMs = scorer.metrics()
                            .registry()
                            .timer(ScorerMetrics.INFERENCE_TIME)
                            .getSnapshot()
                            .getMedian()
                    / 1e6;
            meanBatch = scorer.metrics()
                    .registry()
                    .histogram(ScorerMetrics.BATCH_SIZE)
                    .getSnapshot()
                    .getMean();
        }
        List<Long> all = new ArrayList<>();
        latencies.values().forEach(list -> all.add(list.get(0)));
        all.sort(Long::compare);
        List<Swap> swaps = new ArrayList<>();
        for (StoredBundle version : versions) {
            Long scored = firstScored.get(version.version());
            swaps.add(new Swap(
                    version.version(),
                    scored == null ? -1L : scored - announced.get(version.version()),
                    loadMs.get(version.version())));
        }
        int duplicates = (int)
                latencies.values().stream().filter(list -> list.size() > 1).count();
        int missing =
                (int) ids.stream().filter(id -> !latencies.containsKey(id)).count();
        return new Latency(
                rate,
                percentile(all, 0.50),
                percentile(all, 0.99),
                inferenceMs,
                meanBatch,
                swaps,
                all.size(),
                duplicates,
                missing);
    }

    private static double percentile(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1));
    }

    private void requireRunning(ScorerApp scorer) throws InterruptedException {
        if (!scorer.awaitRunning(SCORER_START)) {
            throw new IllegalStateException(
                    "the scorer did not reach RUNNING within " + SCORER_START + " (state " + scorer.state() + ")");
        }
    }

    private ScorerConfig scorerConfig(
            FileSystemModelStore store,
            StoredBundle bundle,
            TopicCatalog topics,
            int batchSize,
            long lingerMs,
            List<Path> files) {
        Map<String, Object> props = new HashMap<>();
        props.put(ScorerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ScorerConfig.REGISTRY_URL_CONFIG, stack.registryUrl());
        props.put(ScorerConfig.APPLICATION_ID_CONFIG, "bench-score-" + UUID.randomUUID());
        props.put(ScorerConfig.STATE_DIR_CONFIG, workDir.resolve("streams").toString());
        props.put(ScorerConfig.MODEL_BUNDLE_CONFIG, Path.of(bundle.uri()).toString());
        props.put(ScorerConfig.MODEL_BUNDLE_SHA256_CONFIG, bundle.sha256());
        props.put(ScorerConfig.MODEL_STORE_CONFIG, store.root().toString());
        props.put(FetchSettings.ALLOWED_ROOTS_CONFIG, files.get(0).getParent().toString());
        props.put(ScorerConfig.BATCH_SIZE_CONFIG, batchSize);
        props.put(ScorerConfig.BATCH_LINGER_MS_CONFIG, lingerMs);
        props.put(ScorerConfig.METRICS_JMX_ENABLED_CONFIG, false);
        for (TopicRole role : TopicRole.values()) {
            props.put(ScorerConfig.TOPIC_NAME_PREFIX + role.defaultName(), topics.name(role));
        }
        return new ScorerConfig(props);
    }

    private Properties clients() {
        return BenchInputs.clientProperties(stack.bootstrapServers());
    }

    /** Announces a stored bundle as the current version, with what its manifest says. */
    private static ModelVersion announcement(StoredBundle stored) {
        return ModelAnnouncements.of(
                stored, BundleFile.readManifest(Path.of(stored.uri())), ModelStatus.PROMOTED, Instant.now());
    }
}
