package io.imgstream.model.augment;

/**
 * Ranges of the random changes {@link ImageAugmenter} applies, with the seeds' Keras {@code
 * ImageDataGenerator} values as defaults. Each change is drawn uniformly from its range; a range of
 * 0 turns that change off.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a range is negative, a fraction is
 * 1 or more, or the rotation exceeds 180 degrees.
 *
 * @param rotationDegrees  rotation in {@code [-r, r]} degrees, about the image centre; in {@code [0, 180]}
 * @param widthShift       horizontal shift in {@code [-s, s]} times the width; in {@code [0, 1)}
 * @param heightShift      vertical shift in {@code [-s, s]} times the height; in {@code [0, 1)}
 * @param shearRadians     shear angle in {@code [-s, s]} radians (Keras 1 semantics, as in the seeds); in
 *                         {@code [0, 1)}
 * @param zoom             independent x and y scale factors in {@code [1 - z, 1 + z]}; in {@code [0, 1)}
 * @param horizontalFlip   mirror left-right with probability 1/2
 * @param brightness       multiply all colour values by a factor in {@code [1 - b, 1 + b]}; in {@code [0, 1)}
 */
public record AugmentationConfig(
        double rotationDegrees,
        double widthShift,
        double heightShift,
        double shearRadians,
        double zoom,
        boolean horizontalFlip,
        double brightness) {

    /** Default rotation range, degrees, as in the seeds. */
    public static final double DEFAULT_ROTATION_DEGREES = 40;
    /** Default width shift, as in the seeds. */
    public static final double DEFAULT_WIDTH_SHIFT = 0.2;
    /** Default height shift, as in the seeds. */
    public static final double DEFAULT_HEIGHT_SHIFT = 0.2;
    /** Default shear, radians, as in the seeds. */
    public static final double DEFAULT_SHEAR_RADIANS = 0.2;
    /** Default zoom range, as in the seeds. */
    public static final double DEFAULT_ZOOM = 0.2;
    /** Default horizontal flip, as in the seeds. */
    public static final boolean DEFAULT_HORIZONTAL_FLIP = true;
    /** Default brightness range (the seeds have none; issue 8 asks for it). */
    public static final double DEFAULT_BRIGHTNESS = 0.2;

    private static final double MAX_ROTATION = 180;

    public AugmentationConfig {
        if (!(rotationDegrees >= 0 && rotationDegrees <= MAX_ROTATION)) {
            throw new IllegalArgumentException("rotationDegrees must be in [0, 180], was " + rotationDegrees);
        }
        for (double fraction : new double[] {widthShift, heightShift, shearRadians, zoom, brightness}) {
            if (!(fraction >= 0 && fraction < 1)) {
                throw new IllegalArgumentException("shifts, shear, zoom and brightness must be in [0, 1): " + this);
            }
        }
    }

    /**
     * Returns the seeds' settings.
     *
     * @return the defaults
     */
    public static AugmentationConfig defaults() {
        return new AugmentationConfig(
                DEFAULT_ROTATION_DEGREES,
                DEFAULT_WIDTH_SHIFT,
                DEFAULT_HEIGHT_SHIFT,
                DEFAULT_SHEAR_RADIANS,
                DEFAULT_ZOOM,
                DEFAULT_HORIZONTAL_FLIP,
                DEFAULT_BRIGHTNESS);
    }

    /**
     * Returns settings that change nothing.
     *
     * @return all ranges 0, no flip
     */
    public static AugmentationConfig none() {
        return new AugmentationConfig(0, 0, 0, 0, 0, false, 0);
    }
}
