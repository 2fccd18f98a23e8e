package io.imgstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.LabelFeedback;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** Reading a keyed topic, on a consumer whose records are given, values decoded as the registry serde would. */
class TopicSnapshotTest {

    private static final String TOPIC = "feedback";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final Map<String, Object> values = new HashMap<>();
    private final List<ConsumerRecord<String, byte[]>> pending = new ArrayList<>();
    private long offset;

    /** Decodes a record's value by its text: a record, or the exception the registry serde would throw. */
    private final Deserializer<SpecificRecord> deserializer = (topic, data) -> {
        Object answer = values.get(new String(data, StandardCharsets.UTF_8));
        if (answer instanceof RuntimeException failure) {
            throw failure;
        }
        return (SpecificRecord) answer;
    };

    @Test
    void shouldReportKeysWhoseLatestRecordCantBeRead() {
        values.put("cat", label("cat"));
        values.put("dog", label("dog"));
        values.put("garbled", new SerializationException("Unknown magic byte!"));
        values.put("other-type", new ClassProbability("cat", 1.0f));
        publish("img-1", "cat");
        publish("img-1", "garbled");
        publish("img-2", "garbled");
        publish("img-2", "dog");
        publish("img-3", "garbled");
        publish("img-3", null);
        publish("img-4", "other-type");
        publish("img-5", "dog");

        LatestRecords<LabelFeedback> read = read();

        assertThat(read.values().keySet()).containsExactlyInAnyOrder("img-2", "img-5");
        assertThat(read.values().get("img-2").getLabel()).hasToString("dog");
        assertThat(read.unreadable().keySet())
                .as("the earlier, readable record of img-1 is not its latest")
                .containsExactlyInAnyOrder("img-1", "img-4");
        assertThat(read.unreadable().get("img-1")).contains("feedback-0@1", "Unknown magic byte!");
        assertThat(read.unreadable().get("img-4"))
                .contains("ClassProbability", "not a " + LabelFeedback.class.getName());
    }

    @Test
    void shouldFailRatherThanSkipARecordTheRegistryCouldNotServe() {
        values.put("unreachable", new SerializationException("registry", new SocketTimeoutException("timed out")));
        publish("img-1", "unreachable");

        assertThatThrownBy(this::read).isInstanceOf(KafkaException.class).hasMessageContaining("registry reachable");
    }

    private LatestRecords<LabelFeedback> read() {
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        consumer.updateEndOffsets(Map.of(PARTITION, offset));
        // The records are there once the read has assigned the partition.
        consumer.schedulePollTask(() -> pending.forEach(consumer::addRecord));
        return TopicSnapshot.read(consumer, deserializer, TOPIC, LabelFeedback.class, TIMEOUT);
    }

    private void publish(String key, String value) {
        pending.add(new ConsumerRecord<>(
                TOPIC, 0, offset++, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
    }

    private static LabelFeedback label(String label) {
        return LabelFeedback.newBuilder()
                .setImageId("img")
                .setLabel(label)
                .setLabeler("ann")
                .setTime(Instant.EPOCH)
                .build();
    }
}
