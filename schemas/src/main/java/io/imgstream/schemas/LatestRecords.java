package io.imgstream.schemas;

import java.util.Map;

/**
 * What reading a keyed topic to its end found ({@link TopicSnapshot#read}): the latest value of every key, and the
 * keys whose latest record could not be read, so that a caller never takes "unreadable" for "absent".
 *
 * @param values     the latest value per key, for keys whose latest record is a readable value of the type read
 * @param unreadable for each key whose latest record is not (its bytes are not a registry record, or the record is
 *                   of another type), where that record is and why it was not read; such a key has no value
 * @param <T>        the value type
 */
public record LatestRecords<T>(Map<String, T> values, Map<String, String> unreadable) {

    public LatestRecords {
        values = Map.copyOf(values);
        unreadable = Map.copyOf(unreadable);
    }
}
