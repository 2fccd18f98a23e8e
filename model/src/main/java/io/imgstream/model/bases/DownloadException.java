package io.imgstream.model.bases;

import io.imgstream.model.weights.WeightLoadException;

/** Downloading weights failed: unreachable, refused, cut short, too large, or not the file that was expected. */
public class DownloadException extends WeightLoadException {

    private static final long serialVersionUID = 1L;

    private final boolean unreachable;

    /**
     * @param message     what failed, naming the URL
     * @param unreachable whether the server could not be reached at all (no network, no such host, refused)
     * @param cause       the underlying failure, or null
     */
    public DownloadException(String message, boolean unreachable, Throwable cause) {
        super(message, cause);
        this.unreachable = unreachable;
    }

    /** Whether the server could not be reached at all, as on a machine without network. */
    public boolean unreachable() {
        return unreachable;
    }
}
