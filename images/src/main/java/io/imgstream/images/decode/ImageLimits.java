package io.imgstream.images.decode;

/**
 * Upper bounds that {@link ImageDecoder} enforces before it decodes anything.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a limit is zero or negative.
 *
 * @param maxBytes  largest accepted encoded image, in bytes; must be positive
 * @param maxPixels largest accepted {@code width * height} as declared in the image header; must be
 *                  positive. Decoding allocates about 4 bytes per pixel, so this bounds memory and
 *                  stops decompression bombs.
 */
public record ImageLimits(long maxBytes, long maxPixels) {

    /** Default byte limit: 10 MiB. */
    public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;

    /** Default pixel limit: 40 megapixels (e.g. 7300 x 5475). */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    public ImageLimits {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
    }

    /**
     * Returns the default limits: {@value #DEFAULT_MAX_BYTES} bytes and {@value #DEFAULT_MAX_PIXELS}
     * pixels.
     *
     * @return the default limits
     */
    public static ImageLimits defaults() {
        return new ImageLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
    }
}
