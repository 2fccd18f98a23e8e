package io.imgstream.images.fetch;

import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;

/**
 * An image reference that cannot be turned into a decoded image, for a reason that lies in the input
 * (not in the infrastructure): it becomes a dead letter and processing goes on.
 */
public final class FetchException extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterStage stage;
    private final DeadLetterReason reason;

    /**
     * @param stage   where it failed: VALIDATE (the reference itself), FETCH (reading the bytes) or DECODE
     * @param reason  the machine-readable reason code
     * @param message what was expected, what was found and what to do
     */
    public FetchException(DeadLetterStage stage, DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.stage = stage;
        this.reason = reason;
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
}
