package io.imgstream.stack;

import java.util.Objects;

/**
 * A known reason why the local stack could not be started or configured. The message is one sentence
 * for a person: what went wrong and what to do about it.
 */
public final class StackException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the stack failed; the CLI turns each into its own exit code. */
    public enum Reason {
        /** A setting is out of range or two settings clash. */
        INVALID_CONFIG,
        /** A port the stack needs is already bound on 127.0.0.1. */
        PORT_TAKEN,
        /** No Java 21+ runtime was found for the schema registry. */
        JAVA_MISSING,
        /** The registry distribution under {@code imgstream.home} is missing: ops was not built. */
        NOT_BUILT,
        /** A stack from the same work directory, or the server to start, is already running. */
        ALREADY_RUNNING,
        /** No stack is recorded in the work directory, or it runs no such server. */
        NOT_RUNNING,
        /** A process died or did not become ready in time. */
        START_FAILED
    }

    private final Reason reason;

    /** A failure for {@code reason}, with a message that says what to do. */
    public StackException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** A failure for {@code reason} caused by {@code cause}. */
    public StackException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the stack failed. */
    public Reason reason() {
        return reason;
    }
}
