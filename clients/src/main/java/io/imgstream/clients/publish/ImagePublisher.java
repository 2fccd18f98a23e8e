package io.imgstream.clients.publish;

import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.avro.ImageRef;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes {@link ImageRef}s keyed by image id, idempotently (a retried send never duplicates).
 * Not thread-safe beyond what {@link KafkaProducer} guarantees.
 */
public final class ImagePublisher implements AutoCloseable {

    private static final Duration MAX_BLOCK = Duration.ofSeconds(15);

    private final KafkaProducer<String, ImageRef> producer;
    private final String topic;

    /**
     * @param clientProperties broker address and any extra client settings; {@code max.block.ms} defaults to 15 s
     * @param serdes           serdes bound to the registry
     * @param topic            the images topic
     */
    public ImagePublisher(Properties clientProperties, RegistrySerdes serdes, String topic) {
        Properties props = new Properties();
        // A command line should not hang a minute on a broker that is not there; a caller may wait longer.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) MAX_BLOCK.toMillis());
        props.putAll(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), serdes.<ImageRef>valueSerializer());
        this.topic = topic;
    }

    /** Sends one reference asynchronously. */
    public Future<RecordMetadata> publish(ImageRef ref) {
        return producer.send(new ProducerRecord<>(topic, ref.getId(), ref));
    }

    /** Blocks until everything sent so far is acknowledged. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
