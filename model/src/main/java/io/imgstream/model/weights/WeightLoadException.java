package io.imgstream.model.weights;

/**
 * Loading a pretrained network failed. The message names the source and the reason; subtypes say which kind of failure
 * it was.
 */
public class WeightLoadException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param message what failed and why, naming the source */
    public WeightLoadException(String message) {
        super(message);
    }

    /**
     * @param message what failed and why, naming the source
     * @param cause   the underlying failure
     */
    public WeightLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
