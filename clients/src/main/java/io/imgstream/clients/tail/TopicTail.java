package io.imgstream.clients.tail;

import io.imgstream.schemas.RegistrySerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads topics' committed records without joining a consumer group (so it never disturbs the
 * applications' offsets), from the end or from the beginning. Not thread-safe.
 */
public final class TopicTail implements AutoCloseable {

    private final KafkaConsumer<String, SpecificRecord> consumer;

    /**
     * @param topics        the topics to read, together
     * @param fromBeginning start at the earliest retained record instead of the end
     * @throws IllegalArgumentException naming the first topic that does not exist
     */
    public TopicTail(Properties clientProperties, RegistrySerdes serdes, List<String> topics, boolean fromBeginning) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), serdes.<SpecificRecord>valueDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos.isEmpty()) {
                consumer.close();
                throw new IllegalArgumentException("topic '" + topic + "' does not exist");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        // Seeks are lazy: resolve them now, so records written after the constructor returns are seen.
        partitions.forEach(consumer::position);
    }

    /**
     * Hands records to {@code sink} until {@code maxRecords} were read or nothing arrived for {@code idle}.
     *
     * Records that can't be deserialized are reported to {@code undecodable} and skipped.
     *
     * @return how many records were read
     */
    public long follow(
            long maxRecords,
            Duration idle,
            Consumer<ConsumerRecord<String, SpecificRecord>> sink,
            Consumer<String> undecodable) {
        long read = 0;
        long lastRecord = System.nanoTime();
        while (read < maxRecords && System.nanoTime() - lastRecord < idle.toNanos()) {
            ConsumerRecords<String, SpecificRecord> records;
            try {
                records = consumer.poll(Duration.ofMillis(200));
            } catch (RecordDeserializationException e) {
                undecodable.accept(e.topicPartition() + "@" + e.offset() + ": " + e.getMessage());
                consumer.seek(e.topicPartition(), e.offset() + 1);
                continue;
            }
            for (ConsumerRecord<String, SpecificRecord> record : records) {
                sink.accept(record);
                lastRecord = System.nanoTime();
                if (++read >= maxRecords) {
                    break;
                }
            }
        }
        return read;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
