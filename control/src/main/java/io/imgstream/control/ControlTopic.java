package io.imgstream.control;

import io.imgstream.schemas.LatestRecords;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicSnapshot;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Reads and writes the compacted {@code model-versions} control topic. Each announcement is written under the
 * version's history key ({@code <model>/v<N>}), so the history survives compaction, and under the keys scorers act
 * on that its status concerns ({@link #keysOf}). The records go in one transaction, and scorers read the topic
 * {@code read_committed}: an announcer killed mid-publish leaves none of them visible, never a recorded version no
 * scorer acts on or the reverse.
 */
public final class ControlTopic implements VersionAnnouncer {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    // An announcer killed mid-transaction holds back read_committed readers of the topic until the broker aborts
    // the transaction; announcements are two small records, so a short timeout costs nothing.
    private static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(10);

    private final Properties clientProperties;
    private final RegistrySerdes serdes;
    private final String topic;
    private final String transactionalId;

    /**
     * A control topic for one-off announcements (the CLI) and for reading, whose transactions fence nobody.
     *
     * @param clientProperties brokers and client settings
     * @param serdes           the registry serdes
     * @param topic            the control topic's name
     */
    public ControlTopic(Properties clientProperties, RegistrySerdes serdes, String topic) {
        this(clientProperties, serdes, topic, "imgstream-announcer-" + UUID.randomUUID());
    }

    /**
     * A control topic for a long-running announcer, the training worker.
     *
     * @param clientProperties brokers and client settings
     * @param serdes           the registry serdes
     * @param topic            the control topic's name
     * @param transactionalId  the announcer's transactional id: a long-running announcer keeps one across restarts,
     *                         so its first announcement after a crash aborts the transaction the crash left open
     *                         and fences a stale instance still running elsewhere
     */
    public ControlTopic(Properties clientProperties, RegistrySerdes serdes, String topic, String transactionalId) {
        this.clientProperties = clientProperties;
        this.serdes = serdes;
        this.topic = topic;
        this.transactionalId = transactionalId;
    }

    /**
     * Writes an announcement under every key of {@link #keysOf}, in that order, and waits until the transaction
     * holding them is committed.
     *
     * @throws KafkaException if the broker does not take them (nothing of the announcement becomes visible)
     */
    @Override
    public void announce(ModelVersion version) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TRANSACTION_TIMEOUT.toMillis());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        try (KafkaProducer<String, SpecificRecord> producer =
                new KafkaProducer<>(props, new StringSerializer(), serdes.valueSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (String key : keysOf(version)) {
                send(producer, key, version);
            }
            producer.commitTransaction();
        }
    }

    /**
     * The keys an announcement is written under, in the order scorers must read them:
     * <ul>
     *   <li>always its history key;</li>
     *   <li>PROMOTED: the model's key, then its canary key, because a promotion ends any canary (the canary's share
     *       was measured against a current version that no longer serves; when the canary itself is promoted,
     *       scorers take it as their primary before its canary ends, so they need not load it again);</li>
     *   <li>SHADOW: the shadow key;</li>
     *   <li>CANARY: the canary key (a new canary, or a new share of the same one);</li>
     *   <li>ROLLED_BACK: the canary key, which ends any canary: a rolled-back canary scores nothing any more, and
     *       a rollback of the current version is followed by a promotion, which would end it anyway.</li>
     * </ul>
     */
    public static List<String> keysOf(ModelVersion version) {
        String model = version.getModelName().toString();
        String history = ModelVersionKeys.history(model, version.getVersion());
        return switch (version.getStatus()) {
            case PROMOTED -> List.of(history, ModelVersionKeys.current(model), ModelVersionKeys.canary(model));
            case SHADOW -> List.of(history, ModelVersionKeys.shadow(model));
            case CANARY, ROLLED_BACK -> List.of(history, ModelVersionKeys.canary(model));
            case CANDIDATE, REJECTED -> List.of(history);
        };
    }

    private void send(KafkaProducer<String, SpecificRecord> producer, String key, ModelVersion version) {
        try {
            producer.send(new ProducerRecord<>(topic, key, version))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaException(
                    "could not write " + key + " to " + topic + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException(
                    "the broker did not acknowledge " + key + " on " + topic + " within " + SEND_TIMEOUT.toSeconds()
                            + " s",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while writing " + key, e);
        }
    }

    /**
     * Reads the topic from the beginning to its current end and returns the latest record of every key; a key whose
     * latest record can't be read is left out ({@link #snapshot()} names those).
     *
     * @throws IllegalArgumentException if the topic does not exist
     * @throws KafkaException if the end is not reached within a minute
     */
    public Map<String, ModelVersion> latestByKey() {
        return snapshot().values();
    }

    /**
     * Reads the topic from the beginning to its current end: the latest record of every key, and the keys whose
     * latest record can't be read.
     *
     * @throws IllegalArgumentException if the topic does not exist
     * @throws KafkaException if the end is not reached within a minute, or the registry can't be reached
     */
    public LatestRecords<ModelVersion> snapshot() {
        return TopicSnapshot.read(clientProperties, serdes, topic, ModelVersion.class, READ_TIMEOUT);
    }

    /**
     * The latest records of every key, once every key of {@code model} could be read: a current version that can't
     * be read must not pass for no current version, nor a history record for an unused version number.
     *
     * @throws UnreadableVersionsException if the latest record of a key of {@code model} is not a readable
     *                                     {@link ModelVersion}
     */
    public static Map<String, ModelVersion> readableFor(LatestRecords<ModelVersion> snapshot, String model) {
        Map<String, String> unreadable = new TreeMap<>();
        snapshot.unreadable().forEach((key, why) -> {
            if (ModelVersionKeys.belongsTo(key, model)) {
                unreadable.put(key, why);
            }
        });
        if (!unreadable.isEmpty()) {
            throw new UnreadableVersionsException(model, unreadable);
        }
        return snapshot.values();
    }

    /** The current (PROMOTED) version of {@code model}, if the topic names one. */
    public Optional<ModelVersion> current(String model) {
        return current(latestByKey(), model);
    }

    /** The current (PROMOTED) version of {@code model} among records read by {@link #latestByKey()}. */
    public static Optional<ModelVersion> current(Map<String, ModelVersion> latest, String model) {
        return Optional.ofNullable(latest.get(ModelVersionKeys.current(model)))
                .filter(version -> version.getStatus() == ModelStatus.PROMOTED);
    }

    /**
     * The running canary of {@code model} among records read by {@link #latestByKey()}: the CANARY record under its
     * canary key, if the latest record there is one.
     */
    public static Optional<ModelVersion> canary(Map<String, ModelVersion> latest, String model) {
        return Optional.ofNullable(latest.get(ModelVersionKeys.canary(model)))
                .filter(version -> version.getStatus() == ModelStatus.CANARY);
    }

    /** The highest version of {@code model} any record names, whatever its status. */
    public static OptionalInt highestVersion(Map<String, ModelVersion> latest, String model) {
        return latest.values().stream()
                .filter(v -> v.getModelName().toString().equals(model))
                .mapToInt(ModelVersion::getVersion)
                .max();
    }
}
