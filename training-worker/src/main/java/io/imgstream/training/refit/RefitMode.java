package io.imgstream.training.refit;

/** What a refit trains. */
public enum RefitMode {
    /** The head alone, on the labeled images' cached features: seconds. */
    HEAD,
    /** The head, then the base's last layers with it on the labeled images (on the versions configured). */
    FINE_TUNE
}
