package io.imgstream.model.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arrays of a Keras weights file ({@code model.save_weights("x.h5")}, the layout of every Keras applications
 * {@code *_notop.h5} download), read without an architecture: one group per layer, each holding its arrays, e.g.
 * {@code block1_conv1/block1_conv1/kernel:0}. A network built here with Keras's layer names (such as {@link
 * io.imgstream.model.base.VggBase}) is filled from them by name.
 *
 * <p>Arrays keep Keras's layout (a convolution kernel is {@code [kH, kW, in, out]}); the caller converts.
 *
 * @param layers    arrays by layer name, then by array name without the {@code :0} suffix ({@code kernel}, {@code
 *                  bias}), in file order
 * @param sha256    lowercase hex sha256 of the file
 * @param source    the file
 */
public record KerasWeightsFile(Map<String, Map<String, INDArray>> layers, String sha256, Path source) {

    private static final String TENSOR_SUFFIX = ":0";
    private static final String MODEL_CONFIG_ATTRIBUTE = "model_config";
    private static final String MODEL_WEIGHTS_GROUP = "model_weights";

    public KerasWeightsFile {
        layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(source, "source");
    }

    /**
     * Reads every array of a Keras {@code .h5}. A whole model saved by {@code model.save()} keeps its weights under
     * {@code model_weights/}; those are read the same way.
     *
     * @throws WeightsNotFoundException if the file does not exist
     * @throws CorruptWeightsException  if it is not HDF5 or holds no layer arrays
     */
    public static KerasWeightsFile read(Path h5) throws WeightLoadException {
        if (!Files.isRegularFile(h5)) {
            throw new WeightsNotFoundException("Keras weights file " + h5 + " does not exist");
        }
        KerasH5Source.requireHdf5Signature(h5);
        Map<String, Map<String, INDArray>> layers = new LinkedHashMap<>();
        try (Hdf5Archive archive = new Hdf5Archive(h5.toString())) {
            String[] root =
                    archive.hasAttribute(MODEL_CONFIG_ATTRIBUTE) ? new String[] {MODEL_WEIGHTS_GROUP} : new String[0];
            for (String layer : archive.getGroups(root)) {
                Map<String, INDArray> arrays = new LinkedHashMap<>();
                collect(archive, append(root, layer), arrays);
                if (!arrays.isEmpty()) {
                    layers.put(layer, arrays);
                }
            }
            if (layers.isEmpty()) {
                throw new CorruptWeightsException(h5 + " holds no Keras layer weights");
            }
            return new KerasWeightsFile(layers, Digests.sha256Of(h5), h5);
        } catch (UnsupportedKerasConfigurationException | IOException | RuntimeException e) {
            throw new CorruptWeightsException(h5 + " is not a readable Keras weights file: " + e.getMessage(), e);
        }
    }

    /** Whether this file is a whole model ({@code model.save()}) rather than weights only. */
    public static boolean isWholeModel(Path h5) throws WeightLoadException {
        KerasH5Source.requireHdf5Signature(h5);
        try (Hdf5Archive archive = new Hdf5Archive(h5.toString())) {
            return archive.hasAttribute(MODEL_CONFIG_ATTRIBUTE);
        } catch (RuntimeException e) {
            throw new CorruptWeightsException(h5 + " is not a readable HDF5 file: " + e.getMessage(), e);
        }
    }

    /**
     * The arrays of one layer.
     *
     * @throws IllegalArgumentException if the file has no such layer
     */
    public Map<String, INDArray> layer(String name) {
        Map<String, INDArray> arrays = layers.get(name);
        if (arrays == null) {
            throw new IllegalArgumentException(source + " has no weights for layer '" + name + "'");
        }
        return arrays;
    }

    // Keras nests each layer's arrays one level (or, for wrapped layers, more) below the layer's group.
    private static void collect(Hdf5Archive archive, String[] groups, Map<String, INDArray> arrays)
            throws UnsupportedKerasConfigurationException {
        for (String dataSet : archive.getDataSets(groups)) {
            String name = dataSet.endsWith(TENSOR_SUFFIX)
                    ? dataSet.substring(0, dataSet.length() - TENSOR_SUFFIX.length())
                    : dataSet;
            arrays.put(name, archive.readDataSet(dataSet, groups));
        }
        for (String group : archive.getGroups(groups)) {
            collect(archive, append(groups, group), arrays);
        }
    }

    private static String[] append(String[] groups, String group) {
        List<String> path = new ArrayList<>(List.of(groups));
        path.add(group);
        return path.toArray(String[]::new);
    }
}
