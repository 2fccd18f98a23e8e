package io.imgstream.topology.fetch;

import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.topology.deadletter.DeadLetters;
import io.imgstream.topology.deadletter.DeadLetters.Failure;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
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
 * <p>Forwards {@link ImageTask}s to {@code nextNode} and dead letters to {@code deadLetterNode}.
 */
public final class ParseProcessor implements Processor<String, byte[], String, Object> {

    private final Deserializer<ImageRef> deserializer;
    private final String nextNode;
    private final String deadLetterNode;
    private ProcessorContext<String, Object> context;

    public ParseProcessor(Deserializer<ImageRef> deserializer, String nextNode, String deadLetterNode) {
        this.deserializer = deserializer;
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
            deadLetter(record, DeadLetterStage.DESERIALIZE, null, "record has no value; expected an Avro ImageRef in the registry wire format", null);
            return;
        }
        ImageRef ref;
        try {
            String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
            ref = deserializer.deserialize(topic, record.headers(), record.value());
        } catch (RuntimeException e) {
            if (isInfrastructureFailure(e)) {
                throw e;
            }
            deadLetter(record, DeadLetterStage.DESERIALIZE, null, "value is not an ImageRef in the registry wire format (magic byte 0, 4-byte schema id, "
                    + "Avro): " + e.getMessage(), e);
            return;
        }
        if (ref == null) {
            deadLetter(record, DeadLetterStage.DESERIALIZE, null, "value deserialized to nothing; expected an ImageRef", null);
            return;
        }
        if (record.key() != null && !record.key().equals(ref.getId())) {
            deadLetter(record, DeadLetterStage.VALIDATE, ref.getUri(), "record key '" + record.key() + "' differs from ImageRef.id '" + ref.getId()
                    + "'; publish with the image id as key so every image lands on one partition", null);
            return;
        }
        context.forward(record.withValue(new ImageTask(ref, record.value())), nextNode);
    }

    /**
     * A registry that can't be reached says nothing about the record: fail the task and let Kafka Streams
     * retry it, rather than dead-letter a good record.
     */
    static boolean isInfrastructureFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private void deadLetter(Record<String, byte[]> record, DeadLetterStage stage, String uri, String message,
                            Throwable cause) {
        Failure failure = Failure.of(stage, DeadLetterReason.MALFORMED_RECORD, message, cause);
        Object letter = DeadLetters.of(record.key(), uri, record.value(), context.recordMetadata().orElse(null), failure,
                Instant.ofEpochMilli(context.currentSystemTimeMs()));
        context.forward(record.withValue(letter), deadLetterNode);
    }
}
