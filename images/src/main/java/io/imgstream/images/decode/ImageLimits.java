package io.imgstream.images.decode;

import java.time.Duration;
import java.util.Objects;

/**
 * Upper bounds that {@link ImageDecoder} enforces: sizes before it decodes anything, time while it decodes.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a limit is zero or negative.
 *
 * @param maxBytes      largest accepted encoded image, in bytes; must be positive
 * @param maxPixels     largest accepted {@code width * height} as declared in the image header; must be
 *                      positive. Decoding allocates about 4 bytes per pixel, so this bounds memory and
 *                      stops decompression bombs.
 * @param maxDecodeTime longest one image may take to decode; must be positive. Past it the decoder stops
 *                      reading and refuses the image, so a file made to decode slowly can't hold a thread.
 */
public record ImageLimits(long maxBytes, long maxPixels, Duration maxDecodeTime) {

    /** Default byte limit: 10 MiB. */
    public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;

    /** Default pixel limit: 40 megapixels (e.g. 7300 x 5475). */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    /** Default decode time limit: 10 seconds, several times what a 40-megapixel progressive JPEG needs. */
    public static final Duration DEFAULT_MAX_DECODE_TIME = Duration.ofSeconds(10);

    public ImageLimits {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
        Objects.requireNonNull(maxDecodeTime, "maxDecodeTime");
        if (maxDecodeTime.isNegative() || maxDecodeTime.isZero()) {
            throw new IllegalArgumentException("maxDecodeTime must be positive, was " + maxDecodeTime);
        }
    }

    /**
     * Returns the default limits: {@value #DEFAULT_MAX_BYTES} bytes, {@value #DEFAULT_MAX_PIXELS}
     * pixels and {@link #DEFAULT_MAX_DECODE_TIME}.
     *
     * @return the default limits
     */
    public static ImageLimits defaults() {
        return new ImageLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_MAX_DECODE_TIME);
    }
}
