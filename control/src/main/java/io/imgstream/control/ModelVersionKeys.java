package io.imgstream.control;

import java.util.Objects;

/**
 * Record keys of the compacted {@code model-versions} control topic. Compaction keeps the latest record per key,
 * so each kind of announcement needs its own key or a later one would erase an earlier one that still holds:
 * <ul>
 *   <li>{@code <model>}: the current (PROMOTED) version; a rollback republishes an older version here;</li>
 *   <li>{@code <model>/shadow}: the version scored beside it (status SHADOW), or a record with another status
 *       that ends shadow scoring;</li>
 *   <li>{@code <model>/canary}: the version that scores a share of the images instead of the current one (status
 *       CANARY with its {@code canaryPercent}), or a record with another status that ends the canary;</li>
 *   <li>{@code <model>/v<N>}: the history of every version, whatever its status (CANDIDATE, REJECTED, ...).</li>
 * </ul>
 */
public final class ModelVersionKeys {

    private static final String SHADOW_SUFFIX = "/shadow";
    private static final String CANARY_SUFFIX = "/canary";
    private static final String VERSION_INFIX = "/v";

    private ModelVersionKeys() {}

    /** Key of the current version of {@code model}. */
    public static String current(String model) {
        return Objects.requireNonNull(model, "model");
    }

    /** Key of the shadow version of {@code model}. */
    public static String shadow(String model) {
        return current(model) + SHADOW_SUFFIX;
    }

    /** Key of the canary version of {@code model}. */
    public static String canary(String model) {
        return current(model) + CANARY_SUFFIX;
    }

    /** Key of the history record of one version. */
    public static String history(String model, int version) {
        return current(model) + VERSION_INFIX + version;
    }

    /** Whether {@code key} is one of {@code model}'s keys: its current, shadow, canary or a history key. */
    public static boolean belongsTo(String key, String model) {
        // Model names hold no '/', so another model's keys never start with this one's name and a slash.
        return key.equals(current(model)) || key.startsWith(current(model) + "/");
    }
}
