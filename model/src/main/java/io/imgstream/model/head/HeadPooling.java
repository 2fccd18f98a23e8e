package io.imgstream.model.head;

/** How a base's feature map becomes the vector the head's dense layer reads. */
public enum HeadPooling {
    /** Keep every value ({@code c * h * w} inputs): the seeds' default; more parameters, keeps positions. */
    FLATTEN,
    /**
     * Average each channel over its positions ({@code c} inputs): far fewer parameters, position-free. Needs
     * {@code [c, h, w]} features.
     */
    GLOBAL_AVERAGE;

    /** VGG16's 512x7x7 at 224x224: the largest feature map {@link #forFeatures} flattens. */
    public static final long MAX_FLATTENED_FEATURES = 512L * 7 * 7;

    /**
     * The pooling for a base's features when none is chosen: the seeds flatten VGG16's 512x4x4 (or 7x7) features
     * into the dense layer; a map ten times that size (MobileNetV2's 1280x7x7, an intermediate layer's 576x14x14)
     * would make a head of tens of millions of weights for a few hundred images, which learns its training images
     * by heart in one epoch, so larger maps are averaged per channel.
     *
     * @param featureShape one image's features, {@code [c, h, w]} or {@code [length]}
     */
    public static HeadPooling forFeatures(long[] featureShape) {
        long size = 1;
        for (long dimension : featureShape) {
            size *= dimension;
        }
        return featureShape.length == 1 || size <= MAX_FLATTENED_FEATURES ? FLATTEN : GLOBAL_AVERAGE;
    }
}
