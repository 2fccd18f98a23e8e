package io.imgstream.topology.deadletter;

import io.imgstream.images.fetch.FetchException;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds every {@link DeadLetter} of the scorer: the original input, where it came from, and why it was refused,
 * modelled on Kafka Connect's dead letter queue headers but as a typed record. One method per way an input is
 * refused; whether a failure is refused at all is {@link FailureClassifier}'s decision.
 *
 * <p>Stateless and thread-safe.
 */
public final class DeadLetters {

    private DeadLetters() {}

    /**
     * The input a dead letter keeps.
     *
     * @param imageId       the image id (record key or reference id), or null when unknown
     * @param uri           the reference's URI, or null when it could not be read
     * @param originalValue the record value as it arrived on the input topic, or null when it had none
     * @param source        where the record came from, or null when unknown
     */
    public record Input(String imageId, String uri, byte[] originalValue, RecordMetadata source) {}

    /**
     * A record that is not a usable image reference (reason {@code MALFORMED_RECORD}).
     *
     * @param stage   {@code DESERIALIZE} when it is not an {@code ImageRef}, {@code VALIDATE} when it is a wrong one
     * @param message what was expected, what was found and what to do
     * @param cause   the exception behind it, or null
     * @param now     the time of refusal
     */
    public static DeadLetter malformed(
            Input input, DeadLetterStage stage, String message, Throwable cause, Instant now) {
        return letter(input, stage, DeadLetterReason.MALFORMED_RECORD, message, classOf(cause), null, now);
    }

    /**
     * A record whose handling failed every time it was tried (reason {@code RETRIES_EXHAUSTED}): the failure could
     * not be laid at the record's or the infrastructure's door, and the record's retry budget is spent.
     *
     * @param stage       where it failed
     * @param attempts    how often it was tried
     * @param lastFailure the last attempt's failure
     * @param now         the time of refusal
     */
    public static DeadLetter retriesExhausted(
            Input input, DeadLetterStage stage, int attempts, Throwable lastFailure, Instant now) {
        String message = "record failed " + attempts + " times, the last with " + lastFailure
                + "; dead-lettered so that the partition moves on; publish it again once the cause is fixed";
        return letter(input, stage, DeadLetterReason.RETRIES_EXHAUSTED, message, classOf(lastFailure), null, now);
    }

    /**
     * An image the fetcher or decoder refused; stage, reason and message are the refusal's.
     *
     * @param now the time of refusal
     */
    public static DeadLetter refused(Input input, FetchException refusal, Instant now) {
        Throwable cause = refusal.getCause() == null ? refusal : refusal.getCause();
        return letter(input, refusal.stage(), refusal.reason(), refusal.getMessage(), classOf(cause), null, now);
    }

    /**
     * An image the model failed on alone, the rest of its batch scored (reason {@code SCORING_FAILED}).
     *
     * @param model   the model that failed
     * @param failure what it threw
     * @param now     the time of refusal
     */
    public static DeadLetter unscorable(Input input, ModelIdentity model, Throwable failure, Instant now) {
        String message = "image " + input.imageId() + ": model " + model.name() + " v" + model.version()
                + " failed to score it: " + failure;
        return letter(
                input, DeadLetterStage.SCORE, DeadLetterReason.SCORING_FAILED, message, classOf(failure), model, now);
    }

    private static DeadLetter letter(
            Input input,
            DeadLetterStage stage,
            DeadLetterReason reason,
            String message,
            String exceptionClass,
            ModelIdentity model,
            Instant now) {
        RecordMetadata source = input.source();
        return DeadLetter.newBuilder()
                .setImageId(input.imageId())
                .setUri(input.uri())
                .setOriginalValue(input.originalValue() == null ? null : ByteBuffer.wrap(input.originalValue()))
                .setSourceTopic(source == null ? "" : source.topic())
                .setSourcePartition(source == null ? -1 : source.partition())
                .setSourceOffset(source == null ? -1L : source.offset())
                .setStage(stage)
                .setReason(reason)
                .setMessage(message)
                .setExceptionClass(exceptionClass)
                .setModelName(model == null ? null : model.name())
                .setModelVersion(model == null ? null : model.version())
                .setTime(now)
                .build();
    }

    private static String classOf(Throwable cause) {
        return cause == null ? null : cause.getClass().getName();
    }
}
