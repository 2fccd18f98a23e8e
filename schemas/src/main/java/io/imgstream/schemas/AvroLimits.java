package io.imgstream.schemas;

import java.util.List;
import org.apache.avro.SystemLimitException;

/**
 * Bounds on what one Avro record may declare, so that a record of a few bytes claiming a 2 GiB {@code bytes} field or
 * 2^31 array items is refused before anything is allocated ({@link SystemLimitException}, a bad record, never an
 * outage). Avro reads them from system properties once, when its classes load: {@link #applyDefaults()} sets what is
 * not set yet and must run first in a process's {@code main}; the build passes the same values to test JVMs.
 */
public final class AvroLimits {

    /** Longest {@code bytes} value: a raw record kept in a dead letter, far above any inline image (1 MiB). */
    public static final int MAX_BYTES = 16 << 20;
    /** Most items of an array or map: a feature vector of several concatenated bases stays far below it. */
    public static final int MAX_COLLECTION_ITEMS = 1_000_000;
    /** Longest string: a URI, a label, a message. */
    public static final int MAX_STRING_CHARS = 1 << 20;

    private AvroLimits() {}

    /** Sets Avro's limit properties to imgstream's bounds where the JVM was not given others. */
    public static void applyDefaults() {
        setIfAbsent(SystemLimitException.MAX_BYTES_LENGTH_PROPERTY, MAX_BYTES);
        setIfAbsent(SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY, MAX_COLLECTION_ITEMS);
        setIfAbsent(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, MAX_STRING_CHARS);
    }

    /** The same bounds as {@code -D} flags, for a JVM this one starts. */
    public static List<String> jvmFlags() {
        return List.of(
                "-D" + SystemLimitException.MAX_BYTES_LENGTH_PROPERTY + "=" + MAX_BYTES,
                "-D" + SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY + "=" + MAX_COLLECTION_ITEMS,
                "-D" + SystemLimitException.MAX_STRING_LENGTH_PROPERTY + "=" + MAX_STRING_CHARS);
    }

    private static void setIfAbsent(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }
}
