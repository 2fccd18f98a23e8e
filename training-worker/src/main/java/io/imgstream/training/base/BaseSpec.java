package io.imgstream.training.base;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.VggBase;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.training.TruncatedBase;
import io.imgstream.model.weights.Dl4jZipSource;
import io.imgstream.model.weights.KerasH5Source;
import io.imgstream.model.weights.LoadedNetwork;
import io.imgstream.model.weights.WeightLoadException;
import io.imgstream.model.weights.WeightSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Which base the worker computes features with.
 *
 * @param preset        the kind of base
 * @param weights       the weights file
 * @param layer         bottleneck layer of a {@link BasePreset#NETWORK} base; ignored for VGG
 * @param name          name of a {@link BasePreset#NETWORK} base in its id
 * @param preprocessing how images become the base's input
 */
public record BaseSpec(BasePreset preset, Path weights, String layer, String name, Preprocessing preprocessing) {

    private static final long SEED = 42;

    public BaseSpec {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(preprocessing, "preprocessing");
    }

    /**
     * Loads the weights and builds the base.
     *
     * @throws WeightLoadException if the file is missing, unreadable or not a network of the expected kind
     * @throws IllegalArgumentException if the network lacks the layers the preset needs
     */
    public BaseNetwork load() throws WeightLoadException {
        if (!Files.isRegularFile(weights)) {
            throw new WeightLoadException("base weights " + weights.toAbsolutePath() + " do not exist; nothing is "
                    + "downloaded here: copy the file there, or point base.weights at it");
        }
        LoadedNetwork loaded = source().load();
        return switch (preset) {
            case VGG16, VGG19 -> VggBase.random(preset == BasePreset.VGG16 ? VggBase.Variant.VGG16 : VggBase.Variant.VGG19,
                    preprocessing.height(), preprocessing.width(), SEED).withWeightsFrom(loaded.graph());
            case NETWORK -> TruncatedBase.of(loaded.graph(), layer, name, preprocessing);
        };
    }

    private WeightSource source() {
        String file = weights.getFileName().toString().toLowerCase(Locale.ROOT);
        return file.endsWith(".h5") || file.endsWith(".hdf5") ? KerasH5Source.wholeModel(weights) : Dl4jZipSource.of(weights);
    }
}
