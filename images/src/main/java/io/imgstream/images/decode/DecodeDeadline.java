package io.imgstream.images.decode;

import java.time.Duration;

/**
 * The moment one decode must be over by. The decoding thread itself asks {@link #reached()}, between the reads
 * of the encoded bytes and between the rows it writes: the JDK's JPEG reader refuses {@code ImageReader.abort()}
 * from any thread but the one reading, so a watchdog thread could not stop it.
 *
 * <p>Once reached, it stays reached, so that a reader that swallowed the resulting failure and returned part of
 * an image is still refused. Used by one decoding thread only.
 */
final class DecodeDeadline {

    private final Duration budget;
    private final long deadlineNanos;
    private boolean reached;

    private DecodeDeadline(Duration budget) {
        this.budget = budget;
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
    }

    /** A deadline {@code budget} from now. */
    static DecodeDeadline after(Duration budget) {
        return new DecodeDeadline(budget);
    }

    /** Whether the deadline has passed; once true, true for good. */
    boolean reached() {
        if (!reached && System.nanoTime() - deadlineNanos > 0) {
            reached = true;
        }
        return reached;
    }

    /** Whether an earlier {@link #reached()} found the deadline passed. */
    boolean wasReached() {
        return reached;
    }

    /** The time allowed. */
    Duration budget() {
        return budget;
    }
}
