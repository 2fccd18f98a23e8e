package io.imgstream.topology.deadletter;

import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds {@link DeadLetter} records: the original input, where it came from, and why it was refused.
 * Modelled on Kafka Connect's dead letter queue headers, but as a typed record.
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    /**
     * A dead letter for the input record being processed.
     *
     * @param imageId       the image id (record key), or null when unknown
     * @param uri           the reference's URI, or null when it could not be read
     * @param originalValue the record value as it arrived on the input topic
     * @param source        where the record came from; may be absent for records created by punctuation
     * @param failure       stage, reason and message of the failure
     * @param now           the time of refusal
     */
    public static DeadLetter of(String imageId, String uri, byte[] originalValue, RecordMetadata source,
                                Failure failure, Instant now) {
        return DeadLetter.newBuilder()
                .setImageId(imageId)
                .setUri(uri)
                .setOriginalValue(originalValue == null ? null : ByteBuffer.wrap(originalValue))
                .setSourceTopic(source == null ? "" : source.topic())
                .setSourcePartition(source == null ? -1 : source.partition())
                .setSourceOffset(source == null ? -1L : source.offset())
                .setStage(failure.stage())
                .setReason(failure.reason())
                .setMessage(failure.message())
                .setExceptionClass(failure.exceptionClass())
                .setModelName(failure.modelName())
                .setModelVersion(failure.modelVersion())
                .setTime(now)
                .build();
    }

    /**
     * Why an input was refused.
     *
     * @param exceptionClass class name of the exception behind it, or null
     * @param modelName      the model involved, or null if none was
     * @param modelVersion   its version, or null
     */
    public record Failure(DeadLetterStage stage, DeadLetterReason reason, String message, String exceptionClass,
                          String modelName, Integer modelVersion) {

        /** A failure that happened before any model was involved. */
        public static Failure of(DeadLetterStage stage, DeadLetterReason reason, String message, Throwable cause) {
            return new Failure(stage, reason, message, cause == null ? null : cause.getClass().getName(), null, null);
        }
    }
}
