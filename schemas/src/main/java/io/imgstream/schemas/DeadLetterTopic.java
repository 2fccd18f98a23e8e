package io.imgstream.schemas;

import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Where a Kafka Streams application's records that do not deserialize go: a {@link DeadLetter} on the dead-letter
 * topic ({@code images-dlq}) with the original bytes, where they came from and why, the same record the scorer
 * writes for an image reference it can't read.
 *
 * @param topic      the dead-letter topic's name
 * @param serializer writes a dead letter's value (the registry's, so consumers read it like the scorer's)
 */
public record DeadLetterTopic(String topic, Serializer<? super DeadLetter> serializer) {

    public DeadLetterTopic {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(serializer, "serializer");
    }

    /**
     * The dead letter of a record that does not deserialize, ready for Kafka Streams to produce.
     *
     * @param record   the record as read
     * @param failure  why it does not deserialize
     * @param attempts how often it was tried before it was given up (0: at once, the record being at fault)
     * @throws RuntimeException if the dead letter can't be serialized (the registry away, say)
     */
    public ProducerRecord<byte[], byte[]> letter(
            ConsumerRecord<byte[], byte[]> record, Exception failure, int attempts) {
        String message = "record " + record.topic() + "-" + record.partition() + "@" + record.offset()
                + " does not deserialize"
                + (attempts == 0 ? "" : " after " + attempts + " attempts")
                + ": " + failure + "; produce it in the registry's wire format with the topic's schema";
        DeadLetter letter = DeadLetter.newBuilder()
                .setImageId(text(record.key()))
                .setOriginalValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .setStage(DeadLetterStage.DESERIALIZE)
                .setReason(attempts == 0 ? DeadLetterReason.MALFORMED_RECORD : DeadLetterReason.RETRIES_EXHAUSTED)
                .setMessage(message)
                .setExceptionClass(failure.getClass().getName())
                .setTime(Instant.now())
                .build();
        return new ProducerRecord<>(topic, record.key(), serializer.serialize(topic, letter));
    }

    /** The key as text when it is UTF-8, as every imgstream key is; null otherwise. */
    private static String text(byte[] key) {
        if (key == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(key))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
