package io.imgstream.model.bundle;

/**
 * Thrown when a model store has no bundle at the requested location. The message names the path or
 * URI that was looked up.
 */
public final class BundleNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was expected, what was found and what to do
     */
    public BundleNotFoundException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a cause.
     *
     * @param message what was expected, what was found and what to do
     * @param cause   the underlying failure
     */
    public BundleNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
