package io.imgstream.topology.swap;

/** A model version announced on the control topic can't be used; the message says why and what to do. */
public final class ModelRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    public ModelRefusedException(String message) {
        super(message);
    }

    public ModelRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
