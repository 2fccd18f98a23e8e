package io.imgstream.topology.fetch;

import io.imgstream.schemas.FailureVerdict;
import io.imgstream.schemas.RecordRetries;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.topology.deadletter.DeadLetters;
import io.imgstream.topology.deadletter.FailureClassifier;
import java.time.Instant;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Deserializes the raw input value into an {@link ImageRef}. The input topic is read as bytes so that a
 * record in the wrong schema, without the registry's magic byte, or with no value at all becomes a dead
 * letter carrying its original bytes instead of stopping the application.
 *
 * <p>Forwards {@link ImageTask}s to {@code nextNode} and dead letters to {@code deadLetterNode}. A deserializer
 * failure that {@link FailureClassifier} lays at the infrastructure's door (the registry unreachable, say) is
 * rethrown after a pause: it says nothing about the record, so the task fails and Kafka Streams retries it, for as
 * long as the outage lasts. One it can't place is retried the same way within the record's {@link RecordRetries}
 * budget, then dead-lettered ({@code RETRIES_EXHAUSTED}); a record cut short is dead-lettered at once.
 *
 * <p>One instance per stream task; not thread-safe.
 */
public final class ParseProcessor implements Processor<String, byte[], String, Object> {

    private final Deserializer<ImageRef> deserializer;
    private final RecordRetries retries;
    private final String nextNode;
    private final String deadLetterNode;
    private ProcessorContext<String, Object> context;

    /**
     * @param deserializer   the registry's {@code ImageRef} deserializer
     * @param retries        the application's per-record retry budget, shared by its tasks
     * @param nextNode       where parsed references go
     * @param deadLetterNode where dead letters go
     */
    public ParseProcessor(
            Deserializer<ImageRef> deserializer, RecordRetries retries, String nextNode, String deadLetterNode) {
        this.deserializer = deserializer;
        this.retries = retries;
        this.nextNode = nextNode;
        this.deadLetterNode = deadLetterNode;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null || record.value().length == 0) {
            deadLetter(
                    record,
                    DeadLetterStage.DESERIALIZE,
                    null,
                    "record has no value; expected an Avro ImageRef in the registry wire format",
                    null);
            return;
        }
        ImageRef ref;
        String position = position();
        try {
            String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
            ref = deserializer.deserialize(topic, record.headers(), record.value());
            retries.settled(position);
        } catch (RuntimeException | Error e) {
            FailureVerdict verdict = FailureClassifier.classify(e);
            if (verdict != FailureVerdict.RECORD) {
                int attempts = retries.failed(position);
                if (verdict == FailureVerdict.INFRASTRUCTURE || attempts < retries.maxAttempts()) {
                    // The task fails and Kafka Streams hands this record to a replacement thread; the pause keeps
                    // that from spinning while the registry is away.
                    retries.pauseAfter(attempts);
                    throw e;
                }
                retries.settled(position);
                context.forward(
                        record.withValue(DeadLetters.retriesExhausted(
                                input(record, null),
                                DeadLetterStage.DESERIALIZE,
                                attempts,
                                e,
                                Instant.ofEpochMilli(context.currentSystemTimeMs()))),
                        deadLetterNode);
                return;
            }
            deadLetter(
                    record,
                    DeadLetterStage.DESERIALIZE,
                    null,
                    "value is not an ImageRef in the registry wire format (magic byte 0, 4-byte schema id, Avro): "
                            + e.getMessage(),
                    e);
            return;
        }
        if (ref == null) {
            deadLetter(
                    record,
                    DeadLetterStage.DESERIALIZE,
                    null,
                    "value deserialized to nothing; expected an ImageRef",
                    null);
            return;
        }
        if (record.key() != null && !record.key().equals(ref.getId())) {
            deadLetter(
                    record,
                    DeadLetterStage.VALIDATE,
                    ref.getUri(),
                    "record key '" + record.key()
                            + "' differs from ImageRef.id '" + ref.getId()
                            + "'; publish with the image id as key so every image lands on one partition",
                    null);
            return;
        }
        context.forward(record.withValue(new ImageTask(ref, record.value())), nextNode);
    }

    private void deadLetter(
            Record<String, byte[]> record, DeadLetterStage stage, String uri, String message, Throwable cause) {
        Object letter = DeadLetters.malformed(
                input(record, uri), stage, message, cause, Instant.ofEpochMilli(context.currentSystemTimeMs()));
        context.forward(record.withValue(letter), deadLetterNode);
    }

    private DeadLetters.Input input(Record<String, byte[]> record, String uri) {
        return new DeadLetters.Input(
                record.key(), uri, record.value(), context.recordMetadata().orElse(null));
    }

    /** Where the current record is: topic, partition and offset, which identify it across task restarts. */
    private String position() {
        return context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse("");
    }
}
