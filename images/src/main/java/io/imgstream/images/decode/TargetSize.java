package io.imgstream.images.decode;

/**
 * The size an image is decoded for: the input of the model that will see it. {@link ImageDecoder} decodes a
 * larger image straight to a fraction of its size that is still at least twice this in each direction, so
 * that memory follows the model's input rather than the camera's resolution.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a side is not positive.
 *
 * @param width  the model's input width, in pixels
 * @param height the model's input height, in pixels
 */
public record TargetSize(int width, int height) {

    public TargetSize {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("width and height must be positive, were " + width + " x " + height);
        }
    }
}
