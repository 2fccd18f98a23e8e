package io.imgstream.model.bundle;

/**
 * Thrown when saving would overwrite a stored version with different content. Versions are
 * immutable: save under a new version number.
 */
public final class BundleVersionConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what was expected, what was found and what to do
     */
    public BundleVersionConflictException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a cause.
     *
     * @param message what was expected, what was found and what to do
     * @param cause   the underlying failure
     */
    public BundleVersionConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
