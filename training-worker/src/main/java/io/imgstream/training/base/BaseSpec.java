package io.imgstream.training.base;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.VggBase;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
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
 * @param layer         bottleneck layer of a {@link BasePreset#NETWORK} or {@link BasePreset#BUNDLE} base (blank: the
 *                      bundle's own); ignored for VGG
 * @param name          name of a {@link BasePreset#NETWORK} or {@link BasePreset#BUNDLE} base in its id
 * @param preprocessing how images become the base's input; a bundle's own preprocessing wins
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
        if (preset == BasePreset.BUNDLE) {
            return fromBundle();
        }
        LoadedNetwork loaded = source().load();
        return switch (preset) {
            case VGG16, VGG19 ->
                VggBase.random(
                                preset == BasePreset.VGG16 ? VggBase.Variant.VGG16 : VggBase.Variant.VGG19,
                                preprocessing.height(),
                                preprocessing.width(),
                                SEED)
                        .withWeightsFrom(loaded.graph());
            case NETWORK -> TruncatedBase.of(loaded.graph(), layer, name, preprocessing);
            case BUNDLE -> throw new IllegalStateException("bundles are read above");
        };
    }

    private BaseNetwork fromBundle() throws WeightLoadException {
        ModelBundle bundle;
        try {
            bundle = BundleFile.readUnverified(weights);
        } catch (RuntimeException e) {
            throw new WeightLoadException(
                    "base.weights " + weights + " is not a readable model bundle: " + e.getMessage(), e);
        }
        BundleManifest manifest = bundle.manifest();
        String cut = layer.isBlank() ? manifest.bottleneckLayer() : layer;
        if (cut == null) {
            throw new WeightLoadException(manifest.modelName() + " v" + manifest.version() + " names no bottleneck "
                    + "layer; set base.layer to the layer whose activations are the features");
        }
        return TruncatedBase.of(bundle.network(), cut, name, manifest.preprocessing());
    }

    private WeightSource source() {
        String file = weights.getFileName().toString().toLowerCase(Locale.ROOT);
        return file.endsWith(".h5") || file.endsWith(".hdf5")
                ? KerasH5Source.wholeModel(weights)
                : Dl4jZipSource.of(weights);
    }
}
