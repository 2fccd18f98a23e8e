package io.imgstream.model.features;

import io.imgstream.model.base.BaseModelId;
import java.util.Objects;

/**
 * What a cached feature vector is stored under: the image and the base that computed it. The same
 * key as the {@code features} topic's, so a cache can be backed by that topic.
 *
 * @param imageId the image's id, as in {@code ImageRef.id}; not blank
 * @param baseId  the base network that computed the features
 */
public record FeatureKey(String imageId, BaseModelId baseId) {

    public FeatureKey {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(baseId, "baseId");
        if (imageId.isBlank()) {
            throw new IllegalArgumentException("imageId must not be blank");
        }
    }

    /** {@code imageId/name@sha256}, e.g. for log lines. */
    @Override
    public String toString() {
        return imageId + "/" + baseId;
    }
}
