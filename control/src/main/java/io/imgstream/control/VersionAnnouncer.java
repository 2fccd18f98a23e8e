package io.imgstream.control;

import io.imgstream.schemas.avro.ModelVersion;

/** Where the worker announces versions: the control topic, in production. */
@FunctionalInterface
public interface VersionAnnouncer {

    /**
     * Announces a version and returns once it is durable.
     *
     * @throws org.apache.kafka.common.KafkaException if it could not be written
     */
    void announce(ModelVersion version);
}
