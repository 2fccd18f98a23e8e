package io.imgstream.model.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;

/**
 * A Keras model in HDF5 ({@code .h5}), imported with DL4J's {@link KerasModelImport}: either a whole
 * model saved by {@code model.save()} (architecture and weights in one file), or weights saved by
 * {@code model.save_weights()} together with the architecture JSON from {@code model.to_json()}.
 * Functional models become a {@link ComputationGraph} directly, Sequential ones via {@code
 * MultiLayerNetwork.toComputationGraph()}. The training configuration is ignored.
 *
 * <p>Before HDF5 is opened the file's HDF5 signature is checked, so a wrong or truncated file gives a
 * {@link CorruptWeightsException} that says so instead of a native HDF5 error.
 *
 * <p>The weights sha256 is of the {@code .h5} file. Immutable; {@link #load()} may run on several threads.
 */
public final class KerasH5Source implements WeightSource {

    /** The 8-byte HDF5 format signature. */
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** HDF5 looks for the signature at 0, 512, 1024, 2048, ... (a user block may come first). */
    private static final int FIRST_USER_BLOCK = 512;

    private static final int MAX_SIGNATURE_OFFSET = 1 << 20;
    private static final String SEQUENTIAL = "Sequential";

    private final Path h5;
    private final Path architectureJson;

    private KerasH5Source(Path h5, Path architectureJson) {
        this.h5 = h5;
        this.architectureJson = architectureJson;
    }

    /** A whole model saved by Keras {@code model.save("x.h5")}. Nothing is read until {@link #load()}. */
    public static KerasH5Source wholeModel(Path h5) {
        return new KerasH5Source(Objects.requireNonNull(h5, "h5"), null);
    }

    /**
     * Weights saved by Keras {@code model.save_weights("x.h5")} into the architecture {@code model.to_json()}
     * wrote. Nothing is read until {@link #load()}.
     */
    public static KerasH5Source weightsInto(Path architectureJson, Path weightsH5) {
        return new KerasH5Source(
                Objects.requireNonNull(weightsH5, "weightsH5"),
                Objects.requireNonNull(architectureJson, "architectureJson"));
    }

    @Override
    public String description() {
        return architectureJson == null ? "keras-h5:" + h5 : "keras-h5:" + architectureJson + "+" + h5;
    }

    /**
     * @throws WeightsNotFoundException  if a file does not exist
     * @throws CorruptWeightsException   if the .h5 is not HDF5 or not a Keras model, or the weights do not fit
     * @throws UnsupportedModelException if DL4J cannot import a layer or configuration of the model
     */
    @Override
    public LoadedNetwork load() throws WeightLoadException {
        requireFile(h5, "Keras .h5 file");
        if (architectureJson != null) {
            requireFile(architectureJson, "Keras architecture JSON");
        }
        try {
            requireHdf5Signature(h5);
            ComputationGraph graph;
            try {
                graph = architectureJson == null
                        ? KerasModelImport.importKerasModelAndWeights(h5.toString(), false)
                        : KerasModelImport.importKerasModelAndWeights(
                                architectureJson.toString(), h5.toString(), false);
            } catch (InvalidKerasConfigurationException e) {
                if (!String.valueOf(e.getMessage()).contains(SEQUENTIAL)) {
                    throw e;
                }
                graph = (architectureJson == null
                                ? KerasModelImport.importKerasSequentialModelAndWeights(h5.toString(), false)
                                : KerasModelImport.importKerasSequentialModelAndWeights(
                                        architectureJson.toString(), h5.toString(), false))
                        .toComputationGraph();
            }
            return new LoadedNetwork(graph, Digests.sha256Of(h5), description());
        } catch (UnsupportedKerasConfigurationException e) {
            throw new UnsupportedModelException(description() + " cannot be imported into DL4J: " + e.getMessage(), e);
        } catch (InvalidKerasConfigurationException | IOException | RuntimeException e) {
            throw new CorruptWeightsException(
                    description() + " is not a valid Keras model for DL4J: " + e.getMessage(), e);
        }
    }

    private static void requireFile(Path file, String what) throws WeightsNotFoundException {
        if (!Files.isRegularFile(file)) {
            throw new WeightsNotFoundException(what + " " + file + " does not exist");
        }
    }

    /** Refuses a file without the HDF5 signature before native HDF5 code opens it. */
    static void requireHdf5Signature(Path h5) throws CorruptWeightsException {
        try {
            checkSignature(h5);
        } catch (IOException e) {
            throw new CorruptWeightsException("could not read " + h5 + ": " + e.getMessage(), e);
        }
    }

    private static void checkSignature(Path h5) throws IOException, CorruptWeightsException {
        long size = Files.size(h5);
        try (InputStream in = Files.newInputStream(h5)) {
            byte[] head = in.readNBytes((int) Math.min(size, MAX_SIGNATURE_OFFSET + HDF5_SIGNATURE.length));
            for (int offset = 0;
                    offset + HDF5_SIGNATURE.length <= head.length;
                    offset = offset == 0 ? FIRST_USER_BLOCK : offset * 2) {
                if (Arrays.equals(
                        head, offset, offset + HDF5_SIGNATURE.length, HDF5_SIGNATURE, 0, HDF5_SIGNATURE.length)) {
                    return;
                }
            }
        }
        throw new CorruptWeightsException(h5 + " is not an HDF5 file (no HDF5 signature; " + size
                + " bytes): expected a Keras model.save() or save_weights() .h5");
    }
}
