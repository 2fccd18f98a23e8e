package io.imgstream.images.fetch;

import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;

/**
 * An image reference that cannot be turned into a decoded image, for a reason that lies in the input or in the image
 * source it names (not in the scorer's own infrastructure): it becomes a dead letter and processing goes on.
 *
 * <p>A {@linkplain #retriable() retriable} one says the source failed in a way that may pass (an HTTP 5xx or 429, a
 * connection refused or reset, a timeout, an I/O error reading a file): the reference may be good, and is worth a
 * bounded number of further attempts before it is dead-lettered.
 */
public final class FetchException extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterStage stage;
    private final DeadLetterReason reason;
    private final boolean retriable;

    /**
     * @param stage   where it failed: VALIDATE (the reference itself), FETCH (reading the bytes) or DECODE
     * @param reason  the machine-readable reason code
     * @param message what was expected, what was found and what to do
     */
    public FetchException(DeadLetterStage stage, DeadLetterReason reason, String message, Throwable cause) {
        this(stage, reason, message, cause, false);
    }

    private FetchException(
            DeadLetterStage stage, DeadLetterReason reason, String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.stage = stage;
        this.reason = reason;
        this.retriable = retriable;
    }

    /**
     * The image source failed in a way that may pass; another attempt may load the image.
     *
     * @param reason  {@code FETCH_FAILED}, {@code FETCH_TIMEOUT} or {@code UNREADABLE}, the reason if no attempt works
     * @param message what failed, for the dead letter if no attempt works
     * @param cause   the source's failure
     */
    public static FetchException sourceFailed(DeadLetterReason reason, String message, Throwable cause) {
        return new FetchException(DeadLetterStage.FETCH, reason, message, cause, true);
    }

    public FetchException(DeadLetterStage stage, DeadLetterReason reason, String message) {
        this(stage, reason, message, null);
    }

    /** The stage that failed. */
    public DeadLetterStage stage() {
        return stage;
    }

    /** The reason code. */
    public DeadLetterReason reason() {
        return reason;
    }

    /** Whether the source failed in a way that may pass, so that another attempt may load the image. */
    public boolean retriable() {
        return retriable;
    }
}
