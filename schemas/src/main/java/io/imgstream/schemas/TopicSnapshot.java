package io.imgstream.schemas;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest record of every key of a topic, read from its beginning to its end as of the call (committed records
 * only), with a consumer assigned to the partitions: no group, nothing committed. For the control topic and the
 * labels on {@code feedback}. A record that can't be reached (the registry away) fails the read; a record that can't
 * be read is counted against its key ({@link LatestRecords#unreadable()}), never silently taken for no record.
 */
public final class TopicSnapshot {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSnapshot.class);

    private static final Duration POLL = Duration.ofMillis(200);

    private TopicSnapshot() {}

    /**
     * Reads a topic to its end.
     *
     * @param type    the value class; a key whose latest record is of another type, or whose bytes are not a record,
     *                has no value (logged; {@link #read} reports it)
     * @param timeout bound of the whole read
     * @return the latest value per key; a tombstone removes the key
     * @throws IllegalArgumentException if the topic does not exist
     * @throws KafkaException if the end is not reached within {@code timeout}, or a record can't be deserialized
     *                        because the registry can't be reached
     */
    public static <T extends SpecificRecord> Map<String, T> latestByKey(
            Properties clientProperties, RegistrySerdes serdes, String topic, Class<T> type, Duration timeout) {
        return read(clientProperties, serdes, topic, type, timeout).values();
    }

    /**
     * Reads a topic to its end, reporting the keys whose latest record can't be read as well as the values of the
     * others.
     *
     * @param type    the value class
     * @param timeout bound of the whole read
     * @return the latest value per key, and the keys whose latest record is not a readable {@code type}; a tombstone
     *         removes the key from both
     * @throws IllegalArgumentException if the topic does not exist
     * @throws KafkaException if the end is not reached within {@code timeout}, or a record can't be deserialized
     *                        because the registry can't be reached
     */
    public static <T extends SpecificRecord> LatestRecords<T> read(
            Properties clientProperties, RegistrySerdes serdes, String topic, Class<T> type, Duration timeout) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            return read(consumer, serdes.valueDeserializer(), topic, type, timeout);
        }
    }

    /** {@link #read(Properties, RegistrySerdes, String, Class, Duration)} with this consumer and deserializer. */
    static <T extends SpecificRecord> LatestRecords<T> read(
            Consumer<String, byte[]> consumer,
            Deserializer<SpecificRecord> values,
            String topic,
            Class<T> type,
            Duration timeout) {
        Map<String, T> latest = new HashMap<>();
        Map<String, String> unreadable = new HashMap<>();
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException(
                    "topic '" + topic + "' does not exist; create it with 'imgstream topics create'");
        }
        List<TopicPartition> partitions = infos.stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new KafkaException(
                        "could not read " + topic + " to its end within " + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                if (record.key() == null) {
                    continue;
                }
                latest.remove(record.key());
                unreadable.remove(record.key());
                if (record.value() == null) {
                    continue;
                }
                SpecificRecord value = deserialize(values, record, unreadable);
                if (type.isInstance(value)) {
                    latest.put(record.key(), type.cast(value));
                } else if (value != null) {
                    unreadable.put(
                            record.key(),
                            where(record) + ": a " + value.getSchema().getFullName() + ", not a " + type.getName());
                }
            }
        }
        return new LatestRecords<>(latest, unreadable);
    }

    private static SpecificRecord deserialize(
            Deserializer<SpecificRecord> values,
            ConsumerRecord<String, byte[]> record,
            Map<String, String> unreadable) {
        try {
            return values.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            if (FailureVerdict.of(e) != FailureVerdict.RECORD) {
                // A registry that can't be reached must not read as "no such record": the caller would act on a
                // topic with holes in it (the worker, say, on a control topic without its current version).
                throw new KafkaException(
                        "could not read " + where(record) + ": " + e + "; is the schema registry reachable?", e);
            }
            LOG.warn(
                    "Skipped {}: its value is not a record in the registry's wire format ({})",
                    where(record),
                    e.toString());
            unreadable.put(record.key(), where(record) + ": not a record in the registry's wire format (" + e + ")");
            return null;
        }
    }

    private static String where(ConsumerRecord<String, byte[]> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset() + " (key '" + record.key() + "')";
    }
}
