package io.imgstream.training.labels;

/** Told of every label the labeled set takes or refuses; called on a stream thread, so it must not block. */
public interface LabelCounter {

    /** A label was stored (a new image, or a relabel). */
    void taken();

    /** A record on {@code feedback} was refused, with why. */
    void refused(String reason);
}
