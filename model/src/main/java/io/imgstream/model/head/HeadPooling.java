package io.imgstream.model.head;

/** How a base's feature map becomes the vector the head's dense layer reads. */
public enum HeadPooling {
    /** Keep every value ({@code c * h * w} inputs): the seeds' default; more parameters, keeps positions. */
    FLATTEN,
    /**
     * Average each channel over its positions ({@code c} inputs): far fewer parameters, position-free. Needs
     * {@code [c, h, w]} features.
     */
    GLOBAL_AVERAGE
}
