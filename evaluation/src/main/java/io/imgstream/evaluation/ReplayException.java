package io.imgstream.evaluation;

/** A replay that can't run as asked: an empty range, a range retention no longer holds, an unknown version. */
public final class ReplayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what to do */
    public ReplayException(String message) {
        super(message);
    }
}
