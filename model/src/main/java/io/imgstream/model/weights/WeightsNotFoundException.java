package io.imgstream.model.weights;

/** The file, package entry or model that a weight source points at does not exist. */
public final class WeightsNotFoundException extends WeightLoadException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed and why, naming the source */
    public WeightsNotFoundException(String message) {
        super(message);
    }

    /**
     * @param message what failed and why, naming the source
     * @param cause   the underlying failure
     */
    public WeightsNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
