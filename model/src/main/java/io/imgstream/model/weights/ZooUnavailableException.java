package io.imgstream.model.weights;

/**
 * The DL4J zoo must download weights and its server cannot be reached (no internet access). The message says which
 * local formats can be loaded instead.
 */
public final class ZooUnavailableException extends WeightLoadException {

    private static final long serialVersionUID = 1L;

    /** @param message what failed and why, naming the source */
    public ZooUnavailableException(String message) {
        super(message);
    }

    /**
     * @param message what failed and why, naming the source
     * @param cause   the underlying failure
     */
    public ZooUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
