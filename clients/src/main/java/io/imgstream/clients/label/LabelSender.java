package io.imgstream.clients.label;

import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.avro.LabelFeedback;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/** Sends labels to the feedback topic, keyed by image id, so a later label of an image replaces the earlier. */
public final class LabelSender {

    private final Properties clientProperties;
    private final RegistrySerdes serdes;
    private final String topic;

    /**
     * @param clientProperties brokers and client settings
     * @param serdes           the registry serdes
     * @param topic            the feedback topic
     */
    public LabelSender(Properties clientProperties, RegistrySerdes serdes, String topic) {
        this.clientProperties = clientProperties;
        this.serdes = serdes;
        this.topic = topic;
    }

    /**
     * Sends every label and waits until the broker has each.
     *
     * @throws KafkaException       if one is refused; those before it may have been written
     * @throws InterruptedException if interrupted while waiting
     */
    public void send(List<LabelFeedback> labels) throws InterruptedException {
        try (KafkaProducer<String, SpecificRecord> producer =
                new KafkaProducer<>(clientProperties, new StringSerializer(), serdes.valueSerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (LabelFeedback feedback : labels) {
                sends.add(producer.send(
                        new ProducerRecord<>(topic, feedback.getImageId().toString(), feedback)));
            }
            producer.flush();
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        } catch (ExecutionException e) {
            throw new KafkaException(
                    "sending labels to '" + topic + "' failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
