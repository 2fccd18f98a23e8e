package io.imgstream.model.head;

/** How a base's feature map becomes the vector the head reads. */
public enum HeadPooling {
    /** Keep every value ({@code c * h * w} inputs): the seeds' default; more parameters, keeps positions. */
    FLATTEN,
    /**
     * Average each channel over its positions ({@code c} inputs): far fewer parameters, position-free. Needs
     * {@code [c, h, w]} features.
     */
    GLOBAL_AVERAGE,
    /**
     * Average each channel over each cell of a {@value #GRID}x{@value #GRID} grid ({@code 4c} inputs): keeps where in
     * the image a channel fired (a sleeve's length, a collar) at four times the inputs of {@link #GLOBAL_AVERAGE}.
     * On an odd-sized map the cells overlap by one row or column. Needs {@code [c, h, w]} features of at least 2x2.
     */
    GRID_AVERAGE;

    /** Cells per side of {@link #GRID_AVERAGE}'s grid. */
    public static final int GRID = 2;

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

    /**
     * The pooling for a linear head ({@link HeadConfig#linear}) when none is chosen: small maps flattened as for a
     * dense head; larger ones averaged over {@link #GRID_AVERAGE}'s grid rather than per channel. A linear head has
     * no hidden layer to learn where things are, and the positions are worth it: on nsfwjs MobileNetV2's
     * {@code block_11_depthwise_relu} (576x14x14), 50 Fashion-MNIST labels per class, the linear probe's test
     * accuracy went from 0.82 averaged per channel to 0.85 over the grid.
     *
     * @param featureShape one image's features, {@code [c, h, w]} or {@code [length]}
     */
    public static HeadPooling forLinearHead(long[] featureShape) {
        HeadPooling dense = forFeatures(featureShape);
        return dense == GLOBAL_AVERAGE && featureShape[1] >= GRID && featureShape[2] >= GRID ? GRID_AVERAGE : dense;
    }
}
