package io.imgstream.training;

import com.codahale.metrics.MetricRegistry;
import io.imgstream.control.ControlTopic;
import io.imgstream.control.SigningAnnouncer;
import io.imgstream.control.UnreadableVersionsException;
import io.imgstream.control.VersionAnnouncer;
import io.imgstream.images.ImageLoader;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.weights.WeightLoadException;
import io.imgstream.runtime.lifecycle.StreamsApplication;
import io.imgstream.runtime.lifecycle.StreamsLifecycle;
import io.imgstream.runtime.metrics.MetricsExporters;
import io.imgstream.schemas.AvroTrust;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.training.features.FeatureBackfill;
import io.imgstream.training.labels.LabeledExample;
import io.imgstream.training.labels.LabeledSet;
import io.imgstream.training.labels.LabeledSetTopology;
import io.imgstream.training.metrics.TrainingMetrics;
import io.imgstream.training.refit.CurrentVersion;
import io.imgstream.training.refit.HoldoutSplit;
import io.imgstream.training.refit.LabelLedger;
import io.imgstream.training.refit.RefitOutcome;
import io.imgstream.training.refit.RefitTrigger;
import io.imgstream.training.refit.Refitter;
import io.imgstream.training.rollout.RolloutController;
import io.imgstream.training.rollout.RolloutFeed;
import io.imgstream.training.rollout.RolloutPolicy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running training worker: the labeled-set topology in a {@link KafkaStreams} instance, and one refit thread
 * that checks every second whether a refit is due and runs it.
 *
 * <p>With a rollout policy ({@code rollout.steps}), a third thread checks the rollout in progress every
 * {@code rollout.check.interval.ms} ({@link RolloutController}), and no refit runs while a canary is in progress.
 *
 * <p>Start-up resumes from the durable labeled set (the stores are restored from their changelogs) and from the
 * control topic (the current version to warm-start from and to beat, and the highest version number in use). A
 * refit that fails (store unwritable, broker away) is logged and counted, the current version stays, and the next
 * try waits a minute or {@code refit.interval.ms}, whichever is shorter.
 */
public final class TrainingWorker implements StreamsApplication {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingWorker.class);
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY_DELAY = Duration.ofMinutes(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final TrainingWorkerConfig config;
    private final KafkaStreams streams;
    private final CloseOptions closeOptions;
    private final LabeledSet labeledSet;
    private final ControlTopic control;
    private final FileSystemModelStore store;
    private final BaseNetwork base;
    private final FeatureExtractor extractor;
    private final KafkaProducer<String, SpecificRecord> producer;
    private final Refitter refitter;
    private final RefitTrigger trigger;
    private final TrainingMetrics metrics;
    private final MetricsExporters exporters;
    private final ScheduledExecutorService refitThread;
    private final Object announcing = new Object();
    private final Optional<RolloutFeed> feed;
    private final Optional<RolloutController> rollout;
    private final ScheduledExecutorService rolloutThread;
    private volatile boolean rolloutInProgress;
    private CurrentVersion current;
    private Map<String, ModelVersion> controlRecords = Map.of();
    private LabelLedger ledger;
    private long lastRefitNanos = System.nanoTime();
    private long retryAfterNanos;
    private volatile RefitOutcome lastOutcome;
    private volatile boolean closing;

    private TrainingWorker(TrainingWorkerConfig config, BaseNetwork base, Consumer<String> progress) {
        this.config = config;
        this.base = base;
        RegistrySerdes serdes = RegistrySerdes.forRegistry(config.registryUrl());
        TopicCatalog topics = config.topics();
        Properties clients = new Properties();
        clients.putAll(config.clientConfig());
        this.control = new ControlTopic(
                clients,
                serdes,
                topics.name(TopicRole.MODEL_VERSIONS),
                config.getString(TrainingWorkerConfig.APPLICATION_ID_CONFIG) + "-announcer");
        this.store = new FileSystemModelStore(config.modelStore());
        this.metrics = new TrainingMetrics(new MetricRegistry());
        this.trigger = config.refitTrigger();
        VersionAnnouncer signed = config.signingKey()
                .<VersionAnnouncer>map(key -> new SigningAnnouncer(control, key))
                .orElse(control);
        // The refit and rollout threads both announce, and announcements share one transactional id: one at a time,
        // or each would fence the other's transaction.
        VersionAnnouncer announcer = version -> {
            synchronized (announcing) {
                signed.announce(version);
            }
        };
        Optional<RolloutPolicy> policy = config.rolloutPolicy();
        this.feed = policy.map(p -> new RolloutFeed(
                clients,
                serdes,
                topics.name(TopicRole.PREDICTIONS),
                topics.name(TopicRole.FEEDBACK),
                config.rolloutTrackedImages(),
                new RolloutFeed.Listener() {
                    @Override
                    public void recordSkipped(String position, Exception why) {
                        metrics.rolloutRecordSkipped();
                    }

                    @Override
                    public void readFailed(Throwable why) {
                        metrics.rolloutReadFailed();
                    }
                }));
        this.rollout = policy.map(p -> new RolloutController(
                config.modelName(), p, announcer, feed.orElseThrow(), metrics, Clock.systemUTC()));
        Properties producerProps = new Properties();
        producerProps.putAll(clients);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), serdes.valueSerializer());
        this.extractor = new FeatureExtractor(base);
        ImageLoader loader = config.fetch().loader();
        FeatureBackfill backfill = new FeatureBackfill(extractor, loader, producer, topics.name(TopicRole.FEATURES));
        this.refitter = new Refitter(
                config.modelName(),
                base,
                config.head(base.featureShape()),
                config.headTraining(),
                new HoldoutSplit(config.holdoutPercent(), config.validationPercent()),
                config.gateMinImprovement(),
                config.publishStatus(),
                backfill,
                store,
                rollout.map(r -> r.starting(announcer)).orElse(announcer),
                () -> ControlTopic.highestVersion(controlRecords, config.modelName())
                        .orElse(0),
                config.stateDir().resolve("refits").resolve(config.modelName()),
                config.fineTuning(loader),
                progress);
        Properties streamsProperties = config.streamsProperties(metrics::recordSkipped, serdes.valueSerializer());
        this.streams = new KafkaStreams(
                LabeledSetTopology.build(topics, serdes, base.id().toString(), metrics), streamsProperties);
        this.closeOptions = StreamsLifecycle.closeOptions(streamsProperties, CLOSE_TIMEOUT);
        StreamsLifecycle.replaceFailedThreads(this.streams, LOG, "Labeled-set stream thread");
        this.labeledSet = new LabeledSet(streams);
        this.exporters = config.metrics().start(metrics.registry());
        exporters.readiness(this::notReadyReason);
        this.refitThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "imgstream-refit");
            thread.setDaemon(true);
            return thread;
        });
        this.rolloutThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "imgstream-rollout");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Loads the base, reads the control topic and starts the worker.
     *
     * @param config   the configuration
     * @param progress receives a line per refit step and epoch (not logged: the caller prints or logs them)
     * @throws ConfigException if the base can't be loaded from {@code base.weights}
     */
    public static TrainingWorker start(TrainingWorkerConfig config, Consumer<String> progress) {
        AvroTrust.requireTrusted();
        BaseNetwork base;
        try {
            base = config.base().load();
        } catch (WeightLoadException | IllegalArgumentException e) {
            throw new ConfigException(
                    TrainingWorkerConfig.BASE_WEIGHTS_CONFIG,
                    config.base().weights().toString(),
                    "can't load the base: " + e.getMessage());
        }
        TrainingWorker worker = new TrainingWorker(config, base, progress);
        try {
            worker.readControlTopic();
            worker.ledger = new LabelLedger(worker.baseline());
            worker.streams.start();
            worker.refitThread.scheduleWithFixedDelay(
                    worker::check, CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            if (worker.rollout.isPresent()) {
                long every = config.rolloutCheckInterval().toMillis();
                worker.rolloutThread.scheduleWithFixedDelay(worker::checkRollout, 0, every, TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
        LOG.info(
                "Training {} on {} (features {}), refit every {} labels or {} s",
                config.modelName(),
                base.modelId(),
                Arrays.toString(base.featureShape()),
                config.refitTrigger().everyLabels(),
                config.refitTrigger().interval().toSeconds());
        return worker;
    }

    private void check() {
        try {
            if (streams.state() != KafkaStreams.State.RUNNING
                    || System.nanoTime() < retryAfterNanos
                    || rolloutInProgress) {
                return;
            }
            List<LabeledExample> snapshot = labeledSet.snapshot();
            int newLabels = ledger.newLabels(snapshot);
            metrics.pending(newLabels);
            if (!trigger.due(newLabels, snapshot.size(), Duration.ofNanos(System.nanoTime() - lastRefitNanos))) {
                return;
            }
            refit(snapshot);
        } catch (InvalidStateStoreException e) {
            LOG.debug("Labeled set not queryable yet: {}", e.getMessage());
        } catch (RuntimeException | Error e) {
            // An Error (memory, say) must not end the scheduled refits silently: it is logged, counted and retried
            // like any other failure.
            if (closing) {
                LOG.info("Refit abandoned: the worker is stopping ({})", e.toString());
                return;
            }
            metrics.refitFailed();
            Duration delay = config.refitTrigger().interval().compareTo(MAX_RETRY_DELAY) < 0
                    ? config.refitTrigger().interval()
                    : MAX_RETRY_DELAY;
            retryAfterNanos = System.nanoTime() + delay.toNanos();
            LOG.error(
                    "Refit failed ({}); next try in {} s. Cause: {}",
                    current == null ? "there is still no version" : "v" + current.version() + " stays current",
                    delay.toSeconds(),
                    e.toString(),
                    e);
        }
    }

    private void refit(List<LabeledExample> snapshot) {
        readControlTopic();
        if (rollout.isPresent() && rollout.get().inProgress(controlRecords)) {
            // One experiment at a time: the labels wait for the rollout to end, which its step timeout bounds.
            rolloutInProgress = true;
            return;
        }
        RefitOutcome outcome = refitter.refit(snapshot, Optional.ofNullable(current));
        ledger.refitted(snapshot);
        lastRefitNanos = System.nanoTime();
        metrics.refitted(outcome);
        metrics.pending(0);
        lastOutcome = outcome;
    }

    /**
     * Reads the control topic and lets the rollout policy decide. Every failure (the broker away, a decision that
     * can't be announced) is logged and counted, and the next check tries again: the thread never ends by itself.
     */
    private void checkRollout() {
        try {
            Map<String, ModelVersion> records = ControlTopic.readableFor(control.snapshot(), config.modelName());
            RolloutController controller = rollout.orElseThrow();
            rolloutInProgress = controller.inProgress(records);
            controller.check(records);
        } catch (RuntimeException | Error e) {
            if (closing) {
                return;
            }
            metrics.rolloutReadFailed();
            LOG.error("Rollout check failed; the next check tries again: {}", e.toString(), e);
        }
    }

    /**
     * Reads the control topic and loads the current version's bundle when it changed.
     *
     * @throws UnreadableVersionsException if a record of the model can't be read: the refit waits, as for a broker
     *                                     or registry that can't be reached, rather than take it for no version
     */
    private void readControlTopic() {
        controlRecords = ControlTopic.readableFor(control.snapshot(), config.modelName());
        Optional<ModelVersion> promoted = ControlTopic.current(controlRecords, config.modelName());
        if (promoted.isEmpty()) {
            current = null;
            return;
        }
        ModelVersion version = promoted.get();
        if (current != null && current.version() == version.getVersion()) {
            return;
        }
        ModelBundle bundle = null;
        if (base.modelId().equals(version.getBaseModelId().toString())) {
            try {
                bundle = store.load(
                        URI.create(version.getBundleUri().toString()),
                        version.getBundleSha256().toString());
                if (!bundle.manifest().preprocessing().equals(base.preprocessing())) {
                    // The same weights at another input give other features: its head would not fit this base's.
                    LOG.info(
                            "The current version v{} runs {} at {}, this worker at {}: candidates start fresh",
                            version.getVersion(),
                            base.modelId(),
                            bundle.manifest().preprocessing(),
                            base.preprocessing());
                    bundle.network().clear();
                    bundle = null;
                }
            } catch (RuntimeException e) {
                if (version.getMetrics().getAccuracy() == null) {
                    // Nothing to compare a candidate with: the gate would pass it as if there were no current version.
                    throw new IllegalStateException(
                            "can't load the current version v" + version.getVersion() + " (" + e.getMessage()
                                    + ") and its announcement records no accuracy to compare candidates with; no "
                                    + "refit until its bundle loads",
                            e);
                }
                LOG.warn(
                        "Can't load the current version v{} ({}): candidates start fresh and are compared with its "
                                + "recorded accuracy",
                        version.getVersion(),
                        e.getMessage());
            }
        }
        current = CurrentVersion.of(version, bundle);
    }

    private int baseline() {
        return current == null ? 0 : current.labeledImages().orElse(0);
    }

    /** The base features are computed with. */
    public BaseNetwork base() {
        return base;
    }

    /** The worker's metrics. */
    public TrainingMetrics metrics() {
        return metrics;
    }

    /** The last refit's outcome, if one ran. */
    public Optional<RefitOutcome> lastOutcome() {
        return Optional.ofNullable(lastOutcome);
    }

    @Override
    public Parts parts() {
        return new Parts(streams, exporters);
    }

    /**
     * Stops the refit thread, waiting up to 30 s for a refit in progress (past that the process may exit in the
     * middle of it, which leaves at most a saved bundle that was never announced), then the stream.
     */
    @Override
    public void close() {
        closing = true;
        refitThread.shutdownNow();
        rolloutThread.shutdownNow();
        try {
            refitThread.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            rolloutThread.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        feed.ifPresent(RolloutFeed::close);
        streams.close(closeOptions);
        producer.close(CLOSE_TIMEOUT);
        extractor.close();
        exporters.close();
    }
}
