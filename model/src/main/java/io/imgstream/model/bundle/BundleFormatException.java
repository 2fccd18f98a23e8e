package io.imgstream.model.bundle;

/**
 * Thrown when the content of a bundle is corrupt, unreadable or inconsistent: not a zip, a missing
 * or unparsable entry, an unknown format version, or a class list that does not match the
 * network's output. Retrying does not help; the bundle must be rebuilt.
 */
public final class BundleFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was expected, what was found and what to do
     */
    public BundleFormatException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a cause.
     *
     * @param message what was expected, what was found and what to do
     * @param cause   the underlying failure
     */
    public BundleFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
