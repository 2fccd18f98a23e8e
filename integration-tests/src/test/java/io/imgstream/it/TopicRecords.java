package io.imgstream.it;

import io.imgstream.schemas.RegistrySerdes;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads every record of a topic, not just the latest per key, for tests that count what was written. */
final class TopicRecords {

    private TopicRecords() {}

    /**
     * Reads {@code topic} from its beginning until three polls in a row return nothing, handing each record's key
     * and registry-decoded value to {@code each}.
     *
     * @param isolation {@code read_committed} or {@code read_uncommitted}
     */
    static <T extends SpecificRecord> void readToEnd(
            Properties clientProperties,
            RegistrySerdes serdes,
            String topic,
            String isolation,
            BiConsumer<String, T> each) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-count-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        Deserializer<T> values = serdes.valueDeserializer();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            int idlePolls = 0;
            while (idlePolls < 3) {
                var records = consumer.poll(Duration.ofMillis(700));
                idlePolls = records.isEmpty() ? idlePolls + 1 : 0;
                for (ConsumerRecord<String, byte[]> record : records) {
                    each.accept(record.key(), values.deserialize(record.topic(), record.headers(), record.value()));
                }
            }
        }
    }
}
