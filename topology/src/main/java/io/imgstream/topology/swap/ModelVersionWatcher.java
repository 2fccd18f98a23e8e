package io.imgstream.topology.swap;

import io.imgstream.control.CanaryRollout;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.control.ModelVersionLog;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.runtime.lifecycle.BackgroundThreads;
import io.imgstream.schemas.FailureVerdict;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.topology.deadletter.FailureClassifier;
import io.imgstream.topology.metrics.ScorerMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted {@code model-versions} control topic for one model, folding it with a
 * {@link ModelVersionLog} (keys as {@link ModelVersionKeys}): a PROMOTED record under the model's key becomes the
 * primary model, a SHADOW record under its shadow key the shadow model, any other status there ends shadow
 * scoring, a CANARY record under its canary key the canary at its share (a new share of the same version keeps the
 * loaded model), any other status there ends the canary. A promotion of the canary's bundle makes the loaded canary
 * the primary without loading it again.
 *
 * <p>It reads with its own consumer (no group: every instance reads every partition from the beginning,
 * {@code read_committed}), and on its own thread, off the hot path, loads and verifies each bundle, then builds,
 * sizes and warms up its scorer ({@link ScorerPreparer}) before handing it to the {@link ModelSlot}, so the first
 * batch on a new version costs what any batch costs. A record that does not deserialize, a bundle that the
 * {@link BundleLoader} refuses, a scorer whose warm-up pass fails, or any other failure while applying one record
 * refuses that announcement: it is logged with the reason and counted, the current model stays, and the thread
 * goes on with the next record. An outage of the brokers is waited out. Anything else ends the thread (a fatal
 * {@link Throwable}, or a Kafka error that retrying would repeat, such as a denied read): {@link BackgroundThreads}
 * logs it and stops the application, which would otherwise never swap models again.
 *
 * <p>Use: {@link #catchUp} once at start-up (it says which versions are current), then {@link #follow}.
 */
public final class ModelVersionWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelVersionWatcher.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final Deserializer<ModelVersion> values;
    private final String modelName;
    private final BundleLoader loader;
    private final ScorerPreparer preparer;
    private final ScorerMetrics metrics;
    private Thread thread;
    private volatile boolean running = true;
    private final ModelVersionLog log;

    /**
     * @param clientConfig bootstrap servers and client settings (security, ...); deserializers and offsets are
     *                     set here
     * @param topic        the control topic
     * @param values       deserializer of {@link ModelVersion} values (the registry serde)
     * @param modelName    the model this instance scores
     * @param loader       loads and verifies announced bundles
     * @param preparer     builds, sizes and warms up their scorers
     */
    public ModelVersionWatcher(
            Map<String, Object> clientConfig,
            String topic,
            Deserializer<ModelVersion> values,
            String modelName,
            BundleLoader loader,
            ScorerPreparer preparer,
            ScorerMetrics metrics) {
        this(consumer(clientConfig, modelName), topic, values, modelName, loader, preparer, metrics);
    }

    /** Reads through {@code consumer}: the tests' way to feed it records without a broker. */
    ModelVersionWatcher(
            Consumer<String, byte[]> consumer,
            String topic,
            Deserializer<ModelVersion> values,
            String modelName,
            BundleLoader loader,
            ScorerPreparer preparer,
            ScorerMetrics metrics) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.values = Objects.requireNonNull(values, "values");
        this.modelName = Objects.requireNonNull(modelName, "modelName");
        this.log = new ModelVersionLog(modelName);
        this.loader = Objects.requireNonNull(loader, "loader");
        this.preparer = Objects.requireNonNull(preparer, "preparer");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    private static KafkaConsumer<String, byte[]> consumer(Map<String, Object> clientConfig, String modelName) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "imgstream-model-versions-" + modelName);
        return new KafkaConsumer<>(config);
    }

    /**
     * Reads the control topic from the beginning to its end as of now, without loading anything.
     *
     * @param timeout how long reading may take
     * @return the current and shadow versions the topic names
     * @throws ConfigException if the topic does not exist or can't be read to its end within the timeout
     */
    public ModelVersionLog.State catchUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition()))
                .toList();
        if (partitions.isEmpty()) {
            throw new ConfigException("the control topic '" + topic + "' does not exist; create the topics "
                    + "(imgstream topics create) or set model.versions.follow=false");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        while (!caughtUp(end)) {
            if (System.nanoTime() > deadline) {
                throw new ConfigException("could not read the control topic '" + topic + "' to its end within "
                        + timeout.toMillis() + " ms; check the brokers, or raise model.versions.startup.timeout.ms");
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                parse(record).ifPresent(version -> log.fold(record.key(), version));
            }
        }
        return log.state();
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (consumer.position(partition.getKey()) < partition.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Starts following the topic on a thread of {@code background} from where {@link #catchUp} stopped,
     * installing new versions into {@code slot}.
     */
    public void follow(ModelSlot slot, BackgroundThreads background) {
        thread = background.start("imgstream-model-versions", () -> run(slot));
    }

    private void run(ModelSlot slot) {
        while (running) {
            ConsumerRecords<String, byte[]> records;
            try {
                records = consumer.poll(POLL);
            } catch (WakeupException e) {
                return;
            } catch (KafkaException e) {
                if (FailureClassifier.classify(e) != FailureVerdict.INFRASTRUCTURE) {
                    throw e;
                }
                LOG.warn(
                        "Reading the control topic '{}' failed ({}); retrying in {}",
                        topic,
                        e.toString(),
                        RETRY_BACKOFF);
                sleep(RETRY_BACKOFF);
                continue;
            }
            for (ConsumerRecord<String, byte[]> record : records) {
                apply(slot, record);
            }
        }
    }

    /** Folds one control record and installs what it changes; a failure refuses only this announcement. */
    private void apply(ModelSlot slot, ConsumerRecord<String, byte[]> record) {
        try {
            Optional<ModelVersion> version = parse(record);
            if (version.isPresent()) {
                Optional<ModelStatus> changed = log.fold(record.key(), version.get());
                changed.ifPresent(kind -> install(slot, kind, Instant.ofEpochMilli(record.timestamp())));
            }
        } catch (RuntimeException | Error e) {
            if (BackgroundThreads.isFatal(e)) {
                throw e;
            }
            metrics.modelSwapRefused();
            // Unexpected, unlike a refusal by the loader: the stack trace is what finds the cause.
            LOG.error(
                    "Control record {}-{}@{} (key '{}') refused: applying it failed ({}). The current model stays.",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    record.key(),
                    e.toString(),
                    e);
        }
    }

    private void install(ModelSlot slot, ModelStatus kind, Instant announcedAt) {
        ModelVersionLog.State state = log.state();
        switch (kind) {
            case PROMOTED -> installPrimary(slot, state, announcedAt);
            case SHADOW -> installShadow(slot, state.shadow().orElse(null));
            case CANARY ->
                state.canary().ifPresentOrElse(canary -> installCanary(slot, canary), () -> {
                    if (slot.canaryModel().isPresent()) {
                        slot.clearCanary();
                        LOG.info("Canary of {} ended; the current model scores every image", modelName);
                    }
                });
            default -> throw new IllegalStateException("the control topic's fold changed no known slot: " + kind);
        }
    }

    private void installPrimary(ModelSlot slot, ModelVersionLog.State state, Instant announcedAt) {
        ModelVersion current = state.current().orElseThrow();
        if (same(slot.primaryModel(), current)) {
            return;
        }
        if (promoteCanary(slot, state, current, announcedAt)) {
            LOG.info(
                    "Model {} v{}, the canary, is current; scoring every image with it from the next batch, in "
                            + "batches of up to {} images",
                    modelName,
                    current.getVersion(),
                    slot.batchSize());
            return;
        }
        prepare(current, true).ifPresent(scorer -> {
            slot.promote(scorer, announcedAt);
            metrics.modelSwapped();
            LOG.info(
                    "Model {} v{} ready; scoring with it from the next batch, in batches of up to {} images",
                    modelName,
                    current.getVersion(),
                    slot.batchSize());
        });
    }

    /**
     * Makes the installed canary the primary when {@code current} announces the same bundle, so the promotion costs
     * no second load; the announcement's signature is checked as a load would, and a promotion that fails the check
     * is refused.
     *
     * @return whether the promotion was settled here, made or refused; false to load the version as usual
     */
    private boolean promoteCanary(
            ModelSlot slot, ModelVersionLog.State state, ModelVersion current, Instant announcedAt) {
        boolean sameBundle = state.canary()
                .filter(canary ->
                        slot.canaryModel().filter(model -> same(model, canary)).isPresent())
                .filter(canary -> sameBundle(canary, current))
                .isPresent();
        if (!sameBundle) {
            return false;
        }
        try {
            loader.verifySignature(current);
        } catch (ModelRefusedException e) {
            metrics.modelSwapRefused();
            LOG.error("Refused model version: {}. The current model stays.", e.getMessage());
            return true;
        }
        boolean promoted = slot.promoteCanary(modelName, current.getVersion(), announcedAt);
        if (promoted) {
            metrics.modelSwapped();
        }
        return promoted;
    }

    private static boolean sameBundle(ModelVersion a, ModelVersion b) {
        return a.getVersion() == b.getVersion()
                && a.getBundleUri().toString().equals(b.getBundleUri().toString())
                && a.getBundleSha256()
                        .toString()
                        .equalsIgnoreCase(b.getBundleSha256().toString())
                && a.getBaseModelId().toString().equals(b.getBaseModelId().toString())
                && a.getClasses().stream()
                        .map(CharSequence::toString)
                        .toList()
                        .equals(b.getClasses().stream()
                                .map(CharSequence::toString)
                                .toList());
    }

    private void installShadow(ModelSlot slot, ModelVersion shadow) {
        if (shadow == null) {
            if (slot.shadowModel().isPresent()) {
                slot.clearShadow();
                LOG.info("Shadow scoring of {} stopped", modelName);
            }
        } else if (slot.shadowModel().filter(model -> same(model, shadow)).isEmpty()) {
            prepare(shadow, false).ifPresent(scorer -> {
                slot.shadow(scorer);
                metrics.modelSwapped();
                LOG.info(
                        "Model {} v{} ready; shadow-scoring every batch with it, in batches of up to {} images",
                        modelName,
                        shadow.getVersion(),
                        slot.batchSize());
            });
        }
    }

    /**
     * Makes {@code canary} the slot's canary at its share: a new share of the installed canary only changes the
     * share; another version is loaded, verified and warmed up first (with features, as a primary, so that its
     * promotion can reuse it). A canary of the current version, or without a valid share, is refused.
     */
    public void installCanary(ModelSlot slot, ModelVersion canary) {
        Integer percent = canary.getCanaryPercent();
        String label = canary.getModelName() + " v" + canary.getVersion();
        if (percent == null || !CanaryRollout.validPercent(percent)) {
            refuseCanary(label + ": a canary's share must be " + CanaryRollout.MIN_PERCENT + " to "
                    + CanaryRollout.MAX_PERCENT + " percent, the announcement says " + percent);
        } else if (same(slot.primaryModel(), canary)) {
            refuseCanary(label + " is the current version already; a canary must be another version");
        } else if (slot.canaryShare(modelName, canary.getVersion(), percent)) {
            LOG.info("Canary {} now scores {}% of the images", label, percent);
        } else {
            prepare(canary, true).ifPresent(scorer -> {
                slot.canary(new ModelSlot.Canary(scorer, percent));
                metrics.modelSwapped();
                LOG.info(
                        "Model {} ready; scoring {}% of the images with it as the canary, in batches of up to {} "
                                + "images",
                        label, percent, slot.batchSize());
            });
        }
    }

    private void refuseCanary(String why) {
        metrics.modelSwapRefused();
        LOG.error("Refused canary: {}. The current canary, if any, stays.", why);
    }

    /**
     * Loads and verifies a version's bundle, then builds, sizes and warms up its scorer; or logs and counts why
     * the version was refused.
     *
     * @param withFeatures whether it will be the primary, which scores with features, or a shadow
     * @return the scorer, or empty if refused
     */
    public Optional<PreparedScorer> prepare(ModelVersion version, boolean withFeatures) {
        try {
            long started = System.nanoTime();
            ModelBundle bundle = loader.load(version);
            long loaded = System.nanoTime();
            PreparedScorer scorer = preparer.prepare(bundle, withFeatures);
            LOG.info(
                    "Model {} v{}: bundle loaded and verified in {} ms, scorer built, sized for batches of {} and "
                            + "warmed up in {} ms",
                    version.getModelName(),
                    version.getVersion(),
                    TimeUnit.NANOSECONDS.toMillis(loaded - started),
                    scorer.batchSize(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loaded));
            return Optional.of(scorer);
        } catch (ModelRefusedException e) {
            metrics.modelSwapRefused();
            LOG.error("Refused model version: {}. The current model stays.", e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<ModelVersion> parse(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(values.deserialize(record.topic(), record.headers(), record.value()));
        } catch (RuntimeException e) {
            metrics.modelSwapRefused();
            LOG.error(
                    "Control record {}-{}@{} (key '{}') is not a ModelVersion in the registry wire format ({}); "
                            + "skipped",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    record.key(),
                    e.toString());
            return Optional.empty();
        }
    }

    private static boolean same(ModelIdentity model, ModelVersion version) {
        return model.name().equals(version.getModelName().toString()) && model.version() == version.getVersion();
    }

    private static void sleep(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops following and closes the consumer. */
    @Override
    public void close() {
        running = false;
        if (thread != null) {
            consumer.wakeup();
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
