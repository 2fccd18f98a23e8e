package io.imgstream.cli.models;

import io.imgstream.cli.tail.TopicTail;
import io.imgstream.schemas.ModelVersionKeys;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
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
 * Reads and writes the compacted {@code model-versions} control topic for the CLI. Each announcement is written
 * twice: under the key that scorers act on ({@code <model>} or {@code <model>/shadow}) and under the version's
 * history key ({@code <model>/v<N>}), so the history survives compaction.
 */
public final class ControlTopic {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration READ_IDLE = Duration.ofSeconds(2);

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
     * Writes an announcement under its acting key (by status) and its history key, and waits until both are
     * acknowledged.
     *
     * @throws KafkaException if the broker does not take them
     */
    public void announce(ModelVersion version) {
        String model = version.getModelName().toString();
        String actingKey = version.getStatus() == ModelStatus.SHADOW ? ModelVersionKeys.shadow(model)
                : ModelVersionKeys.current(model);
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(props, new StringSerializer(),
                serdes.valueSerializer())) {
            send(producer, ModelVersionKeys.history(model, version.getVersion()), version);
            if (version.getStatus() == ModelStatus.PROMOTED || version.getStatus() == ModelStatus.SHADOW) {
                send(producer, actingKey, version);
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
     * Reads the topic to its end and returns the latest record of every key.
     *
     * @throws IllegalArgumentException if the topic does not exist
     */
    public Map<String, ModelVersion> latestByKey() {
        Map<String, ModelVersion> latest = new HashMap<>();
        try (TopicTail tail = new TopicTail(clientProperties, serdes, List.of(topic), true)) {
            tail.follow(Long.MAX_VALUE, READ_IDLE, record -> {
                if (record.value() instanceof ModelVersion version) {
                    latest.put(record.key(), version);
                }
            }, problem -> { });
        }
        return latest;
    }

    /** The current (PROMOTED) version of {@code model}, if the topic names one. */
    public Optional<ModelVersion> current(String model) {
        return Optional.ofNullable(latestByKey().get(ModelVersionKeys.current(model)))
                .filter(version -> version.getStatus() == ModelStatus.PROMOTED);
    }
}
