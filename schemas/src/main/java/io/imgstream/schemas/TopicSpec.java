package io.imgstream.schemas;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One topic of the system: its name, whether it is compacted, and the Avro schema of its values.
 * Keys are always UTF-8 strings (image id, model name, run id).
 *
 * @param role        the topic's fixed role in the system, independent of its configured name
 * @param name        the topic name on the broker
 * @param compacted   whether the topic uses {@code cleanup.policy=compact}
 * @param valueSchema the Avro schema of record values, registered under {@code <name>-value}
 */
public record TopicSpec(TopicRole role, String name, boolean compacted, Schema valueSchema) {

    public TopicSpec {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(valueSchema, "valueSchema");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name for " + role + " must not be blank");
        }
    }

    /** The registry subject of this topic's values under the topic-name strategy. */
    public String valueSubject() {
        return name + "-value";
    }
}
