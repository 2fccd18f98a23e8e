package io.imgstream.labeling;

/** Why the labeling page refused a request; {@link #kind()} tells the page what to do about it. */
public final class LabelingException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What went wrong, from the labeler's side. */
    public enum Kind {
        /** The image is not waiting for a label (labeled meanwhile, skipped, or never asked for). */
        UNKNOWN_IMAGE,
        /** The answer is not one the feedback topic can take (empty, too long). */
        BAD_ANSWER,
        /** The label budget is spent for now. */
        BUDGET_SPENT,
        /** The fetch policy refused the image, or it could not be read or decoded. */
        IMAGE_REFUSED,
        /** The broker did not take the label. */
        SEND_FAILED
    }

    private final Kind kind;

    /**
     * @param kind    what went wrong
     * @param message what the labeler reads
     */
    public LabelingException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /**
     * @param kind    what went wrong
     * @param message what the labeler reads
     * @param cause   the underlying failure
     */
    public LabelingException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }
}
