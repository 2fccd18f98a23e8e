package io.imgstream.topology.scoring;

import io.imgstream.schemas.avro.ImageRef;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * An image waiting in the batcher's store for its prediction: the parsed reference, the original record value
 * (for a dead letter), where the record came from, and when it arrived. Every output of the image is keyed by its
 * id and stamped with its record's timestamp.
 *
 * @param ref         the parsed reference
 * @param rawValue    the input record's value bytes
 * @param topic       input topic
 * @param partition   input partition
 * @param offset      input offset; the store key
 * @param timestamp   the input record's timestamp, kept on the outputs
 * @param enqueuedMs  wall-clock time the batcher first saw it, epoch milliseconds (for queue wait and linger)
 */
public record PendingImage(
        ImageRef ref, byte[] rawValue, String topic, int partition, long offset, long timestamp, long enqueuedMs) {

    public PendingImage {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(rawValue, "rawValue");
        Objects.requireNonNull(topic, "topic");
    }

    /** Where the image came from, in the form dead letters record it. */
    public RecordMetadata source() {
        return new SourcePosition(topic, partition, offset);
    }

    private record SourcePosition(String topic, int partition, long offset) implements RecordMetadata {}
}
