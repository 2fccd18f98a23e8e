package io.imgstream.topology.swap;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Which images a canary scores: those whose bucket, a hash of the image id into 0 to 99, is below its share in
 * percent. The hash is Kafka's murmur2 of the id's UTF-8 bytes, the same on every instance and across restarts, so an
 * image meets the same version wherever and whenever it is scored, and a larger share keeps every image of a
 * smaller one.
 */
public final class CanaryShare {

    /** Number of buckets: one per percent. */
    static final int BUCKETS = 100;

    private CanaryShare() {}

    /** The bucket of {@code imageId}, 0 to 99. */
    public static int bucket(String imageId) {
        return Utils.toPositive(Utils.murmur2(imageId.getBytes(StandardCharsets.UTF_8))) % BUCKETS;
    }

    /** Whether {@code imageId} is in a share of {@code percent} percent. */
    public static boolean contains(String imageId, int percent) {
        return bucket(imageId) < percent;
    }
}
