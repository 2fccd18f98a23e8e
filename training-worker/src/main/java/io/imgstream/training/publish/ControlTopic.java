package io.imgstream.training.publish;

import io.imgstream.schemas.ModelVersionKeys;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Reads and writes the compacted {@code model-versions} control topic. Each announcement is written under the
 * version's history key ({@code <model>/v<N>}), so the history survives compaction, and, when it is PROMOTED or
 * SHADOW, also under the key scorers act on ({@code <model>} or {@code <model>/shadow}).
 */
public final class ControlTopic implements VersionAnnouncer {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Properties clientProperties;
    private final RegistrySerdes serdes;
    private final String topic;

    /**
     * @param clientProperties brokers and client settings
     * @param serdes           the registry serdes
     * @param topic            the control topic's name
     */
    public ControlTopic(Properties clientProperties, RegistrySerdes serdes, String topic) {
        this.clientProperties = clientProperties;
        this.serdes = serdes;
        this.topic = topic;
    }

    /**
     * Writes an announcement under its history key and, for PROMOTED and SHADOW, its acting key, and waits until
     * the broker acknowledged them. The history key goes first: a crash in between leaves a recorded version that
     * no scorer acts on, never the reverse.
     *
     * @throws KafkaException if the broker does not take them
     */
    @Override
    public void announce(ModelVersion version) {
        String model = version.getModelName().toString();
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(props, new StringSerializer(),
                serdes.valueSerializer())) {
            send(producer, ModelVersionKeys.history(model, version.getVersion()), version);
            if (version.getStatus() == ModelStatus.PROMOTED) {
                send(producer, ModelVersionKeys.current(model), version);
            } else if (version.getStatus() == ModelStatus.SHADOW) {
                send(producer, ModelVersionKeys.shadow(model), version);
            }
        }
    }

    private void send(KafkaProducer<String, SpecificRecord> producer, String key, ModelVersion version) {
        try {
            producer.send(new ProducerRecord<>(topic, key, version)).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaException("could not write " + key + " to " + topic + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("the broker did not acknowledge " + key + " on " + topic + " within "
                    + SEND_TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while writing " + key, e);
        }
    }

    /**
     * Reads the topic from the beginning to its current end and returns the latest record of every key.
     *
     * @throws IllegalArgumentException if the topic does not exist
     * @throws KafkaException if the end is not reached within a minute
     */
    public Map<String, ModelVersion> latestByKey() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, ModelVersion> latest = new HashMap<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                serdes.valueDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic '" + topic + "' does not exist; create it with 'imgstream "
                        + "topics create'");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("could not read " + topic + " to its end within " + READ_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(POLL)) {
                    if (record.key() == null) {
                        continue;
                    }
                    if (record.value() instanceof ModelVersion version) {
                        latest.put(record.key(), version);
                    } else if (record.value() == null) {
                        latest.remove(record.key());
                    }
                }
            }
        }
        return latest;
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

    /** The highest version of {@code model} any record names, whatever its status. */
    public static OptionalInt highestVersion(Map<String, ModelVersion> latest, String model) {
        return latest.values().stream().filter(v -> v.getModelName().toString().equals(model))
                .mapToInt(ModelVersion::getVersion).max();
    }
}
