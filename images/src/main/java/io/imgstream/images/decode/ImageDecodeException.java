package io.imgstream.images.decode;

import java.util.Objects;

/**
 * Thrown by {@link ImageDecoder} when bytes can't become an image. The {@link #reason()} is stable
 * and meant for metrics and dead-letter headers; the message is meant for people and says what was
 * expected, what was found and what to do.
 */
public final class ImageDecodeException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why an image was refused. */
    public enum Reason {
        /** The input had zero bytes. */
        EMPTY,
        /** The input had more bytes than {@link ImageLimits#maxBytes()}. */
        TOO_LARGE,
        /** The header declares more pixels than {@link ImageLimits#maxPixels()}. */
        TOO_MANY_PIXELS,
        /** The bytes are not a JPEG, PNG, GIF or BMP image, or a BMP that wraps a JPEG or PNG. */
        UNSUPPORTED_FORMAT,
        /** The format was recognised but the data is corrupt or truncated. */
        UNDECODABLE,
        /** Decoding took longer than {@link ImageLimits#maxDecodeTime()} and was stopped. */
        TIMED_OUT
    }

    /** Why the image was refused. */
    private final Reason reason;

    /**
     * Creates an exception.
     *
     * @param reason  why the image was refused
     * @param message what was expected, what was found and what to do
     * @param cause   the underlying failure, or {@code null}
     */
    public ImageDecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Creates an exception without a cause.
     *
     * @param reason  why the image was refused
     * @param message what was expected, what was found and what to do
     */
    public ImageDecodeException(Reason reason, String message) {
        this(reason, message, null);
    }

    /**
     * Returns why the image was refused.
     *
     * @return the reason, never {@code null}
     */
    public Reason reason() {
        return reason;
    }
}
