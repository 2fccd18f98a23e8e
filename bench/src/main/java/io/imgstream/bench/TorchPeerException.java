package io.imgstream.bench;

/** The PyTorch peer did not give results: it failed, ran past its time limit or printed something else. */
public final class TorchPeerException extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, with the peer's standard error where it printed any */
    public TorchPeerException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public TorchPeerException(String message, Throwable cause) {
        super(message, cause);
    }
}
