package io.imgstream.training.base;

import java.util.Arrays;
import java.util.Locale;

/** The kinds of base the worker can load. */
public enum BasePreset {
    /** VGG16 with Keras layer names, weights copied in by name. */
    VGG16,
    /** VGG19 with Keras layer names, weights copied in by name. */
    VGG19,
    /** Any channels-first DL4J graph, cut at a named layer. */
    NETWORK,
    /** The network of a model bundle (an earlier model's, the demo's), cut at its bottleneck or a named layer. */
    BUNDLE,
    /** A base from the base store ({@code imgstream bases pull|import}), named by its store name or id. */
    STORED;

    /** The name in {@code base.preset}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a {@code base.preset} value.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static BasePreset of(String configName) {
        return Arrays.stream(values())
                .filter(p -> p.configName().equals(configName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown base preset '" + configName + "'"));
    }
}
