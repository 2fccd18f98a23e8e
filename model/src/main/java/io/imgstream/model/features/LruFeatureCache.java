package io.imgstream.model.features;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An in-memory {@link FeatureCache} holding at most a fixed number of entries and evicting the least
 * recently used (read or written) one when full. A VGG16 vector at 150 x 150 is 32 KiB, so 10,000
 * entries hold about 320 MiB of heap.
 *
 * <p>Thread-safe: every operation locks the cache.
 */
public final class LruFeatureCache implements FeatureCache {

    private final int capacity;
    private final Map<FeatureKey, BottleneckFeatures> entries;

    /**
     * Creates an empty cache.
     *
     * @param capacity the most entries held; positive
     * @throws IllegalArgumentException if capacity is not positive
     */
    public LruFeatureCache(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
        // Access order makes iteration order "least recently used first", which is what eviction needs.
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FeatureKey, BottleneckFeatures> eldest) {
                return size() > LruFeatureCache.this.capacity;
            }
        };
    }

    @Override
    public synchronized Optional<BottleneckFeatures> get(FeatureKey key) {
        Objects.requireNonNull(key, "key");
        return Optional.ofNullable(entries.get(key));
    }

    @Override
    public synchronized void put(FeatureKey key, BottleneckFeatures features) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(features, "features");
        entries.put(key, features);
    }

    @Override
    public synchronized int size() {
        return entries.size();
    }

    /**
     * Returns the most entries held.
     *
     * @return the capacity
     */
    public int capacity() {
        return capacity;
    }
}
