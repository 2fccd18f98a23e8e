package io.imgstream.schemas;

import java.util.Objects;

/**
 * Record keys of the compacted {@code features} topic: one vector per image and base network, so features of
 * the same image under another base (or other weights of the same base) are kept side by side, and a
 * recomputed vector replaces the earlier one.
 */
public final class FeatureVectorKeys {

    private static final String SEPARATOR = "/";

    private FeatureVectorKeys() {}

    /** The key of {@code imageId}'s features under the base {@code baseModelId} (name + weights sha256). */
    public static String of(String imageId, String baseModelId) {
        return Objects.requireNonNull(imageId, "imageId")
                + SEPARATOR
                + Objects.requireNonNull(baseModelId, "baseModelId");
    }
}
