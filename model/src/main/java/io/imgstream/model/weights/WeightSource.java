package io.imgstream.model.weights;

/**
 * Somewhere a pretrained network can be loaded from: a file, a package or a download.
 *
 * <p>Implementations are immutable descriptions of where the weights are; {@link #load()} reads them
 * again on every call and returns a new, independent graph. Safe to share between threads.
 */
public interface WeightSource {

    /**
     * Loads the network with its weights.
     *
     * @return a new graph and the sha256 of the weight bytes it was built from
     * @throws WeightsNotFoundException  if the file or model is not there
     * @throws CorruptWeightsException   if the bytes are not a valid model of this format
     * @throws UnsupportedModelException if the model is valid but DL4J cannot represent it
     * @throws ZooUnavailableException   if a download is needed and the server cannot be reached
     */
    LoadedNetwork load() throws WeightLoadException;

    /** Where the weights come from, for logs and error messages, e.g. {@code tfjs:/models/model.json}. */
    String description();
}
