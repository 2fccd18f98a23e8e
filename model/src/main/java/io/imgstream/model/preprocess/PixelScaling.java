package io.imgstream.model.preprocess;

/**
 * How 8-bit pixel values become network inputs. Each base network expects one of these; the
 * choice is recorded in {@link Preprocessing} and so in every model bundle.
 */
public enum PixelScaling {
    /** Channels in RGB order, each value {@code x / 255}, so in {@code [0, 1]}. */
    UNIT,
    /**
     * Keras "caffe" mode (VGG16, VGG19, ResNet50): channels in BGR order, the ImageNet channel mean
     * subtracted ({@code B - 103.939}, {@code G - 116.779}, {@code R - 123.68}), no scaling. Needs
     * three channels.
     */
    CAFFE_BGR,
    /** Keras "tf" mode (InceptionV3, Xception, MobileNet): RGB order, {@code x / 127.5 - 1}, so in {@code [-1, 1]}. */
    TF;

    /** ImageNet mean of the blue channel, on the 0..255 scale. */
    public static final double IMAGENET_MEAN_BLUE = 103.939;
    /** ImageNet mean of the green channel, on the 0..255 scale. */
    public static final double IMAGENET_MEAN_GREEN = 116.779;
    /** ImageNet mean of the red channel, on the 0..255 scale. */
    public static final double IMAGENET_MEAN_RED = 123.68;
}
