package io.imgstream.model.weights;

/**
 * The bytes exist but are not a valid model of the expected format: truncated, wrong file type, inconsistent manifest
 * or weights that do not fit the architecture.
 */
public final class CorruptWeightsException extends WeightLoadException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed and why, naming the source */
    public CorruptWeightsException(String message) {
        super(message);
    }

    /**
     * @param message what failed and why, naming the source
     * @param cause   the underlying failure
     */
    public CorruptWeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
