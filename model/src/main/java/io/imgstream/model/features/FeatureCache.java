package io.imgstream.model.features;

import java.util.Optional;

/**
 * Bottleneck features by image id and base id. Features depend only on the image and the base's
 * weights, so an entry never goes stale; an implementation may still drop entries to bound memory.
 *
 * <p>Implementations must be thread-safe: the scorer and the training worker share one.
 */
public interface FeatureCache {

    /**
     * Looks features up.
     *
     * @param key image and base
     * @return the features, or empty if they are not cached (never computed, or evicted)
     */
    Optional<BottleneckFeatures> get(FeatureKey key);

    /**
     * Stores features, replacing any stored under the same key.
     *
     * @param key      image and base
     * @param features the base's output for that image
     */
    void put(FeatureKey key, BottleneckFeatures features);

    /**
     * Returns the number of entries now held.
     *
     * @return the entry count
     */
    int size();
}
