package io.imgstream.schemas;

import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records of one type only. The registry's deserializer returns whatever type the schema id in the record
 * names, so a record of another registered schema (a producer that mixed up its topics) would reach code that casts
 * it; here it fails like any record that does not deserialize, which the reader's deserialization policy handles.
 *
 * @param <T> the type the topic carries
 */
final class TypedDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final Deserializer<? extends SpecificRecord> registry;
    private final Class<T> type;

    TypedDeserializer(Deserializer<? extends SpecificRecord> registry, Class<T> type) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.type = Objects.requireNonNull(type, "type");
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        registry.configure(configs, isKey);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return checked(topic, registry.deserialize(topic, data));
    }

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        return checked(topic, registry.deserialize(topic, headers, data));
    }

    private T checked(String topic, SpecificRecord record) {
        if (record == null || type.isInstance(record)) {
            return type.cast(record);
        }
        throw new SerializationException("a " + record.getSchema().getFullName() + " on " + topic + ", which carries "
                + type.getSimpleName() + " records; the producer wrote to the wrong topic");
    }

    @Override
    public void close() {
        registry.close();
    }
}
