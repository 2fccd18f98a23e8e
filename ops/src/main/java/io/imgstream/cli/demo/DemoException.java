package io.imgstream.cli.demo;

/** The demo could not complete; the message says what is missing and where to look. */
public final class DemoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DemoException(String message) {
        super(message);
    }
}
