package io.imgstream.training.base;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.VggBase;
import io.imgstream.model.bases.BaseStore;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.training.ConcatenatedBase;
import io.imgstream.model.training.TruncatedBase;
import io.imgstream.model.weights.Dl4jZipSource;
import io.imgstream.model.weights.KerasWeightsFile;
import io.imgstream.model.weights.WeightLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Which base the worker computes features with.
 *
 * @param preset        the kind of base
 * @param weights       the weights file; for {@link BasePreset#STORED} the base store's directory
 * @param layer         bottleneck layer of a {@link BasePreset#NETWORK} or {@link BasePreset#BUNDLE} base (blank: the
 *                      bundle's own); ignored for VGG
 * @param name          name of a {@link BasePreset#NETWORK} or {@link BasePreset#BUNDLE} base in its id; for {@link
 *                      BasePreset#STORED} the base's store name or id, or several, comma-separated, whose features
 *                      are concatenated
 * @param preprocessing how images become the base's input; a bundle's own preprocessing wins, and a stored base's
 *                      unless {@code inputSize} is set
 * @param inputSize     another input size for a stored VGG base (VGG is fully convolutional), or the size several
 *                      stored bases share; empty for its own (the first's, for several)
 */
public record BaseSpec(
        BasePreset preset,
        Path weights,
        String layer,
        String name,
        Preprocessing preprocessing,
        OptionalInt inputSize) {

    private static final long SEED = 42;

    public BaseSpec {
        Objects.requireNonNull(preset, "preset");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(inputSize, "inputSize");
    }

    /**
     * Loads the weights and builds the base.
     *
     * @throws WeightLoadException if the file is missing, unreadable or not a network of the expected kind
     * @throws IllegalArgumentException if the network lacks the layers the preset needs
     */
    public BaseNetwork load() throws WeightLoadException {
        if (preset == BasePreset.STORED) {
            return fromStore();
        }
        if (!Files.isRegularFile(weights)) {
            throw new WeightLoadException("base weights " + weights.toAbsolutePath() + " do not exist: copy the file "
                    + "there or point base.weights at it, or use a stored base (base.preset=stored, base.name=vgg16 "
                    + "after 'imgstream bases pull vgg16')");
        }
        if (preset == BasePreset.BUNDLE) {
            return fromBundle();
        }
        if (preset == BasePreset.NETWORK) {
            return TruncatedBase.of(Dl4jZipSource.of(weights).load().graph(), layer, name, preprocessing);
        }
        VggBase random = VggBase.random(
                preset == BasePreset.VGG16 ? VggBase.Variant.VGG16 : VggBase.Variant.VGG19,
                preprocessing.height(),
                preprocessing.width(),
                SEED);
        // A Keras .h5 is read by layer name, whole model or weights only alike; a DL4J zip as a graph.
        return isKerasH5()
                ? random.withKerasWeights(KerasWeightsFile.read(weights))
                : random.withWeightsFrom(Dl4jZipSource.of(weights).load().graph());
    }

    /** The store names or ids {@code name} lists: one, or several whose features are concatenated. */
    public List<String> storedNames() {
        return Arrays.stream(name.split(",")).map(String::strip).toList();
    }

    private BaseNetwork fromStore() throws WeightLoadException {
        BaseStore store = new BaseStore(weights);
        List<String> names = storedNames();
        if (names.size() == 1) {
            return store.load(store.find(names.get(0)), inputSize);
        }
        List<BaseNetwork> parts = new ArrayList<>();
        for (String each : names) {
            // Each at its own size: the concatenation runs them all at the shared one.
            parts.add(store.load(store.find(each), OptionalInt.empty()));
        }
        return ConcatenatedBase.of(parts, inputSize);
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

    private boolean isKerasH5() {
        String file = weights.getFileName().toString().toLowerCase(Locale.ROOT);
        return file.endsWith(".h5") || file.endsWith(".hdf5");
    }
}
