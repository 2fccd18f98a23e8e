package io.imgstream.model.bundle;

/**
 * Thrown when a stored bundle's SHA-256 differs from the expected one: the file changed after it
 * was stored (tampering, disk corruption, a partial copy). Nothing was deserialized.
 */
public final class BundleIntegrityException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was expected, what was found and what to do
     */
    public BundleIntegrityException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a cause.
     *
     * @param message what was expected, what was found and what to do
     * @param cause   the underlying failure
     */
    public BundleIntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
