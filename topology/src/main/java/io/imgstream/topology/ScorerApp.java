package io.imgstream.topology;

import com.codahale.metrics.MetricRegistry;
import io.imgstream.control.ModelVersionLog;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.runtime.lifecycle.BackgroundThreads;
import io.imgstream.runtime.lifecycle.StreamsApplication;
import io.imgstream.runtime.lifecycle.StreamsLifecycle;
import io.imgstream.runtime.metrics.MetricsExporters;
import io.imgstream.schemas.AvroTrust;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.topology.batching.BatchingSettings;
import io.imgstream.topology.drift.DriftMonitor;
import io.imgstream.topology.fetch.FetchPool;
import io.imgstream.topology.metrics.ConsumerLag;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.InferenceExecutor;
import io.imgstream.topology.swap.BundleLoader;
import io.imgstream.topology.swap.ModelRefusedException;
import io.imgstream.topology.swap.ModelSlot;
import io.imgstream.topology.swap.ModelVersionWatcher;
import io.imgstream.topology.swap.PreparedScorer;
import io.imgstream.topology.swap.ScorerPreparer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running scorer: the scoring topology inside a {@link KafkaStreams} instance, with its fetch pool, its
 * inference thread, its models and, unless {@code model.versions.follow=false}, the watcher that follows the
 * control topic.
 *
 * <p>Start-up picks the model: the control topic's current PROMOTED version of the model when there is one (so
 * an instance started later joins on the version the others run), else {@code model.bundle}.
 *
 * <p>A failure of a stream thread (broker or registry unreachable, say) is logged and the thread replaced,
 * so the instance resumes when the infrastructure comes back; records are never skipped. The inference thread and
 * the watcher handle a failed batch or a refused announcement themselves and go on; if either dies all the same,
 * the instance fails ({@link #failureReason()}, which readiness reports) and closes Kafka Streams rather than run
 * on without scoring or swapping ({@link BackgroundThreads}).
 */
public final class ScorerApp implements StreamsApplication {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaStreams streams;
    private final CloseOptions closeOptions;
    private final ModelSlot slot;
    private final ModelVersionWatcher watcher;
    private final FetchPool fetchPool;
    private final InferenceExecutor inference;
    private final ScorerMetrics metrics;
    private final MetricsExporters exporters;
    private final BackgroundThreads background;
    private final BatchingSettings batching;

    private ScorerApp(
            KafkaStreams streams,
            CloseOptions closeOptions,
            ModelSlot slot,
            ModelVersionWatcher watcher,
            FetchPool fetchPool,
            InferenceExecutor inference,
            ScorerMetrics metrics,
            MetricsExporters exporters,
            BackgroundThreads background,
            BatchingSettings batching) {
        this.streams = streams;
        this.closeOptions = closeOptions;
        this.slot = slot;
        this.watcher = watcher;
        this.fetchPool = fetchPool;
        this.inference = inference;
        this.metrics = metrics;
        this.exporters = exporters;
        this.background = background;
        this.batching = batching;
        exporters.readiness(this::notReadyReason);
    }

    /**
     * Loads {@code model.bundle} (if set), chooses the model and starts scoring.
     *
     * @throws ConfigException if there is no usable model
     */
    public static ScorerApp start(ScorerConfig config) {
        return start(config, config.modelBundle().isEmpty() ? null : loadBundle(config));
    }

    /**
     * Chooses the model and starts scoring.
     *
     * @param configured the bundle of {@code model.bundle}, already loaded, or null when none is configured
     * @throws ConfigException if there is no usable model: no bundle is configured and the control topic names no
     *                         version of the model that loads and verifies
     */
    public static ScorerApp start(ScorerConfig config, ModelBundle configured) {
        AvroTrust.requireTrusted();
        RegistrySerdes serdes = RegistrySerdes.forRegistry(config.registryUrl());
        String modelName = modelName(config, configured);
        AtomicReference<ModelSlot> slotRef = new AtomicReference<>();
        ScorerMetrics metrics = new ScorerMetrics(
                new MetricRegistry(),
                () -> slotRef.get() == null ? null : slotRef.get().primaryModel(),
                () -> slotRef.get() == null ? Optional.empty() : slotRef.get().shadowModel());
        BackgroundThreads background = new BackgroundThreads(metrics::backgroundThreadFailed);
        ScorerPreparer preparer =
                new ScorerPreparer(config.batchSize(), config.batchMemoryMaxBytes(), config.modelWarmupImages());
        ModelVersionWatcher watcher = null;
        ModelVersionLog.State control = new ModelVersionLog.State(List.of(), Optional.empty(), Optional.empty());
        PreparedScorer initial = null;
        try {
            if (config.modelVersionsFollow()) {
                watcher = new ModelVersionWatcher(
                        config.clientConfig(),
                        config.topics().name(TopicRole.MODEL_VERSIONS),
                        serdes.<ModelVersion>valueDeserializer(),
                        modelName,
                        new BundleLoader(
                                config.modelStore(),
                                config.modelSignaturePublicKey().orElse(null)),
                        preparer,
                        metrics);
                control = watcher.catchUp(config.modelVersionsStartupTimeout());
                initial = chooseInitial(config, configured, control, watcher, preparer);
            } else if (configured != null) {
                initial = prepareConfigured(config, configured, preparer);
            }
            if (initial == null) {
                throw new ConfigException(
                        ScorerConfig.MODEL_BUNDLE_CONFIG,
                        "",
                        "no model to score with: the control "
                                + "topic has no usable PROMOTED version of '" + modelName
                                + "'; publish one (imgstream models "
                                + "promote) or set " + ScorerConfig.MODEL_BUNDLE_CONFIG);
            }
        } catch (RuntimeException e) {
            if (watcher != null) {
                watcher.close();
            }
            throw e;
        }
        ModelSlot slot = new ModelSlot(initial);
        slotRef.set(slot);
        metrics.canaryFollows(slot::canaryModel, slot::canaryPercent);
        if (watcher != null) {
            ModelVersionWatcher following = watcher;
            control.shadow()
                    .flatMap(version -> following.prepare(version, false))
                    .ifPresent(slot::shadow);
            control.canary().ifPresent(canary -> following.installCanary(slot, canary));
            watcher.follow(slot, background);
        }
        return run(config, serdes, slot, watcher, metrics, background, config.batching());
    }

    private static ScorerApp run(
            ScorerConfig config,
            RegistrySerdes serdes,
            ModelSlot slot,
            ModelVersionWatcher watcher,
            ScorerMetrics metrics,
            BackgroundThreads background,
            BatchingSettings batching) {
        MetricsExporters exporters = config.metrics().start(metrics.registry(), metrics.histograms());
        FetchPool fetchPool = new FetchPool(
                config.fetch().loader(),
                config.fetchThreads(),
                config.fetchMaxInFlightBytes(),
                config.fetchRetries(),
                slot::inputSize);
        metrics.fetchPoolHolds(fetchPool::heldBytes);
        InferenceExecutor inference = new InferenceExecutor(slot, metrics, Time.SYSTEM, background);
        DriftMonitor drift = new DriftMonitor(config.drift(), slot::holdoutProfile);
        metrics.driftOf(drift::current);
        Properties properties = config.streamsProperties();
        KafkaStreams streams = new KafkaStreams(
                ScoringTopology.build(
                        config,
                        serdes.valueDeserializer(),
                        serdes.valueSerializer(),
                        batching,
                        fetchPool,
                        inference,
                        drift,
                        metrics),
                properties);
        String images = config.topics().name(TopicRole.IMAGES);
        metrics.imagesConsumerLag(() -> ConsumerLag.of(streams.metrics(), images));
        StreamsLifecycle.replaceFailedThreads(streams, LOG, "Stream thread");
        streams.start();
        // After start: a thread that died before (the watcher, say) closes the streams at once, and they can't be
        // started once closed.
        StreamsLifecycle.closeOnFailure(streams, background, CLOSE_TIMEOUT);
        LOG.info(
                "Scoring with {} v{}, batches of up to {} images, linger {} ms",
                slot.primaryModel().name(),
                slot.primaryModel().version(),
                slot.batchSize(),
                batching.linger().toMillis());
        return new ScorerApp(
                streams,
                StreamsLifecycle.closeOptions(properties, CLOSE_TIMEOUT),
                slot,
                watcher,
                fetchPool,
                inference,
                metrics,
                exporters,
                background,
                batching);
    }

    private static String modelName(ScorerConfig config, ModelBundle configured) {
        String named = config.modelName();
        if (configured == null) {
            return named;
        }
        String bundled = configured.manifest().modelName();
        if (!named.isEmpty() && !named.equals(bundled)) {
            throw new ConfigException(
                    ScorerConfig.MODEL_NAME_CONFIG,
                    named,
                    "the bundle " + config.modelBundle()
                            + " holds model '" + bundled + "'; leave " + ScorerConfig.MODEL_NAME_CONFIG
                            + " empty or name '"
                            + bundled + "'");
        }
        return bundled;
    }

    /**
     * The control topic's newest PROMOTED version that loads and verifies wins over the configured bundle, so a
     * late instance joins on the version the running ones use (they too keep the last good version when a newer
     * one is refused).
     *
     * @return the chosen model, prepared; null when there is none
     * @throws ConfigException if the configured bundle is chosen and can't be prepared
     */
    private static PreparedScorer chooseInitial(
            ScorerConfig config,
            ModelBundle configured,
            ModelVersionLog.State control,
            ModelVersionWatcher watcher,
            ScorerPreparer preparer) {
        List<ModelVersion> promoted = control.promoted();
        for (int i = promoted.size() - 1; i >= 0; i--) {
            ModelVersion version = promoted.get(i);
            if (configured != null && configured.manifest().version() == version.getVersion()) {
                return prepareConfigured(config, configured, preparer);
            }
            Optional<PreparedScorer> announced = watcher.prepare(version, true);
            if (announced.isPresent()) {
                LOG.info(
                        "Starting on {} v{}, the newest usable version on the control topic",
                        version.getModelName(),
                        version.getVersion());
                if (configured != null) {
                    configured.network().clear();
                }
                return announced.get();
            }
        }
        if (configured != null && !promoted.isEmpty()) {
            LOG.warn(
                    "No version of {} on the control topic could be used; starting on the configured bundle (v{})",
                    configured.manifest().modelName(),
                    configured.manifest().version());
        }
        return configured == null ? null : prepareConfigured(config, configured, preparer);
    }

    /**
     * Builds, sizes and warms up the configured bundle's scorer.
     *
     * @throws ConfigException naming {@link ScorerConfig#MODEL_BUNDLE_CONFIG}, if its warm-up fails
     */
    private static PreparedScorer prepareConfigured(
            ScorerConfig config, ModelBundle configured, ScorerPreparer preparer) {
        try {
            return preparer.prepare(configured, true);
        } catch (ModelRefusedException e) {
            throw new ConfigException(ScorerConfig.MODEL_BUNDLE_CONFIG, config.modelBundle(), e.getMessage());
        }
    }

    /**
     * Reads the bundle named by {@link ScorerConfig#MODEL_BUNDLE_CONFIG}, verifying its sha256 first when
     * {@link ScorerConfig#MODEL_BUNDLE_SHA256_CONFIG} is set.
     *
     * @throws ConfigException naming the setting, if the bundle is missing, unreadable or fails verification
     */
    public static ModelBundle loadBundle(ScorerConfig config) {
        String location = config.modelBundle();
        try {
            Path path = BundleLoader.bundlePath(location);
            return config.modelBundleSha256().isEmpty()
                    ? BundleFile.readUnverified(path)
                    : BundleFile.readVerified(path, config.modelBundleSha256());
        } catch (RuntimeException e) {
            throw new ConfigException(ScorerConfig.MODEL_BUNDLE_CONFIG, location, e.getMessage());
        }
    }

    /** The model every prediction of this instance is attributed to now. */
    public ModelIdentity model() {
        return slot.primaryModel();
    }

    /** The shadow model, if one scores beside the primary. */
    public Optional<ModelIdentity> shadowModel() {
        return slot.shadowModel();
    }

    /** The canary model, if one scores its share of the images instead of the primary. */
    public Optional<ModelIdentity> canaryModel() {
        return slot.canaryModel();
    }

    /** The batch timing in use. */
    public BatchingSettings batching() {
        return batching;
    }

    /** Most images per forward pass of the models installed now; it changes with them. */
    public int batchSize() {
        return slot.batchSize();
    }

    /** This instance's metrics. */
    public ScorerMetrics metrics() {
        return metrics;
    }

    @Override
    public Parts parts() {
        return new Parts(streams, exporters, background);
    }

    /**
     * Stops processing (committing what was forwarded; images still pending stay in the store for the next
     * owner of their partition) and leaves the group unless a static member, then the watcher, the inference
     * thread, the fetch pool, and releases the models.
     */
    @Override
    public void close() {
        streams.close(closeOptions);
        if (watcher != null) {
            watcher.close();
        }
        inference.close();
        fetchPool.close();
        exporters.close();
        slot.close();
        LOG.info("Scorer closed");
    }
}
