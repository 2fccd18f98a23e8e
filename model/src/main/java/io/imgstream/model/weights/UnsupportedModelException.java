package io.imgstream.model.weights;

/**
 * The model is valid in its own format but cannot be imported into a DL4J graph, e.g. a TF.js graph model or a layer
 * type DL4J does not support.
 */
public final class UnsupportedModelException extends WeightLoadException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed and why, naming the source */
    public UnsupportedModelException(String message) {
        super(message);
    }

    /**
     * @param message what failed and why, naming the source
     * @param cause   the underlying failure
     */
    public UnsupportedModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
