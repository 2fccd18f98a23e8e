package io.imgstream.model.augment;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Named augmentation settings for fine-tuning, so that a command line or a config key can choose one. */
public enum AugmentationPreset {
    /** The seeds' Keras {@code ImageDataGenerator} ranges ({@link AugmentationConfig#defaults()}). */
    SEEDS(AugmentationConfig.defaults()),
    /**
     * Mirroring, 10 % shifts and zoom, 10 % brightness; no rotation or shear: for small, centred subjects whose
     * orientation is part of what they are (garments, digits, product shots).
     */
    LIGHT(new AugmentationConfig(0, 0.1, 0.1, 0, 0.1, true, 0.1)),
    /** The images as they are. */
    NONE(AugmentationConfig.none());

    private final AugmentationConfig config;

    AugmentationPreset(AugmentationConfig config) {
        this.config = config;
    }

    /** The ranges this preset stands for. */
    public AugmentationConfig config() {
        return config;
    }

    /**
     * The preset of that name, in any case.
     *
     * @throws IllegalArgumentException naming the presets there are, if there is none of that name
     */
    public static AugmentationPreset of(String name) {
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "no augmentation '" + name + "'; one of "
                            + Arrays.stream(values())
                                    .map(preset -> preset.name().toLowerCase(Locale.ROOT))
                                    .collect(Collectors.joining(", ")),
                    e);
        }
    }
}
