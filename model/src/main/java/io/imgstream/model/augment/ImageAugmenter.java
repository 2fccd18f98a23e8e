package io.imgstream.model.augment;

import java.awt.color.ColorSpace;
import java.awt.geom.AffineTransform;
import java.awt.geom.NoninvertibleTransformException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.WritableRaster;
import java.util.Objects;
import java.util.Random;

/**
 * Applies a random rotation, width/height shift, shear, zoom, horizontal flip and brightness change
 * to an image, drawn from {@link AugmentationConfig}'s ranges, as Keras' {@code ImageDataGenerator}
 * does on the fly while training.
 *
 * <p>Geometry: one {@link AffineTransform} about the image centre (flip, zoom, shear, rotation, then
 * shift); every output pixel samples the input at the inverse-transformed position with bilinear
 * interpolation, and positions outside the image take the nearest edge pixel (Keras' {@code
 * fill_mode="nearest"}), so no black corners appear. The output has the input's size.
 *
 * <p>Pixels: 8-bit grey images (any type whose colour space is grey with one colour component,
 * without alpha) stay {@code TYPE_BYTE_GRAY} and their raw sample values are used, so Java2D's
 * linear-grey conversion can't brighten them; every other image becomes {@code TYPE_INT_ARGB} (with
 * alpha interpolated like the colours) or {@code TYPE_INT_RGB} when it has no alpha.
 *
 * <p>Reproducible: the parameters are drawn from the given {@link Random} in a fixed order, so the
 * same seed and image give the same pixels. Thread-safe: the augmenter holds only its config; give
 * each thread its own {@code Random}.
 */
public final class ImageAugmenter {

    private static final int MAX_8BIT = 255;
    private static final double HALF = 0.5;

    private final AugmentationConfig config;

    /**
     * Creates an augmenter.
     *
     * @param config the ranges of the random changes
     */
    public ImageAugmenter(AugmentationConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Returns a randomly changed copy of an image; the input is not modified.
     *
     * @param image  any image
     * @param random where the change's parameters come from
     * @return a new image of the same size
     */
    public BufferedImage augment(BufferedImage image, Random random) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(random, "random");
        int width = image.getWidth();
        int height = image.getHeight();
        double rotation = Math.toRadians(symmetric(random, config.rotationDegrees()));
        double shiftX = symmetric(random, config.widthShift()) * width;
        double shiftY = symmetric(random, config.heightShift()) * height;
        double shear = symmetric(random, config.shearRadians());
        double zoomX = 1 + symmetric(random, config.zoom());
        double zoomY = 1 + symmetric(random, config.zoom());
        boolean flip = config.horizontalFlip() && random.nextBoolean();
        double brightness = 1 + symmetric(random, config.brightness());

        AffineTransform transform = new AffineTransform();
        transform.translate(width / 2.0 + shiftX, height / 2.0 + shiftY);
        transform.rotate(rotation);
        transform.shear(Math.tan(shear), 0);
        transform.scale(flip ? -zoomX : zoomX, zoomY);
        transform.translate(-width / 2.0, -height / 2.0);
        double[] inverse = new double[6];
        try {
            transform.createInverse().getMatrix(inverse);
        } catch (NoninvertibleTransformException e) {
            throw new IllegalStateException(
                    "zoom factors are at least " + (1 - config.zoom()) + ", so the transform is invertible", e);
        }

        Planes source = Planes.of(image);
        Planes target = source.emptyLike();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double px = x + HALF;
                double py = y + HALF;
                // Source position in pixel-centre coordinates.
                double sx = inverse[0] * px + inverse[2] * py + inverse[4] - HALF;
                double sy = inverse[1] * px + inverse[3] * py + inverse[5] - HALF;
                for (int p = 0; p < source.planes.length; p++) {
                    double value = bilinear(source.planes[p], width, height, sx, sy);
                    if (p < source.colourPlanes) {
                        value *= brightness;
                    }
                    target.planes[p][y * width + x] = (int) Math.round(Math.max(0, Math.min(MAX_8BIT, value)));
                }
            }
        }
        return target.toImage(width, height);
    }

    private static double symmetric(Random random, double range) {
        // Always draw, so a disabled change does not shift the later parameters of the sequence.
        double unit = random.nextDouble() * 2 - 1;
        return unit * range;
    }

    private static double bilinear(int[] plane, int width, int height, double x, double y) {
        double cx = Math.max(0, Math.min(width - 1, x));
        double cy = Math.max(0, Math.min(height - 1, y));
        int x0 = (int) Math.floor(cx);
        int y0 = (int) Math.floor(cy);
        int x1 = Math.min(width - 1, x0 + 1);
        int y1 = Math.min(height - 1, y0 + 1);
        double fx = cx - x0;
        double fy = cy - y0;
        double top = plane[y0 * width + x0] * (1 - fx) + plane[y0 * width + x1] * fx;
        double bottom = plane[y1 * width + x0] * (1 - fx) + plane[y1 * width + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    /** An image as separate 8-bit planes: grey, or red/green/blue with optional alpha last. */
    private static final class Planes {
        final int[][] planes;
        final int colourPlanes;

        private Planes(int[][] planes, int colourPlanes) {
            this.planes = planes;
            this.colourPlanes = colourPlanes;
        }

        static Planes of(BufferedImage image) {
            int width = image.getWidth();
            int height = image.getHeight();
            int size = width * height;
            ColorModel model = image.getColorModel();
            if (model.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                    && model.getNumComponents() == 1
                    && model.getComponentSize(0) == Byte.SIZE) {
                int[] grey = image.getRaster().getSamples(0, 0, width, height, 0, new int[size]);
                return new Planes(new int[][] {grey}, 1);
            }
            boolean alpha = model.hasAlpha();
            int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
            int[][] planes = new int[alpha ? 4 : 3][size];
            for (int i = 0; i < size; i++) {
                planes[0][i] = (argb[i] >> 16) & MAX_8BIT;
                planes[1][i] = (argb[i] >> 8) & MAX_8BIT;
                planes[2][i] = argb[i] & MAX_8BIT;
                if (alpha) {
                    planes[3][i] = (argb[i] >>> 24) & MAX_8BIT;
                }
            }
            return new Planes(planes, 3);
        }

        Planes emptyLike() {
            return new Planes(new int[planes.length][planes[0].length], colourPlanes);
        }

        BufferedImage toImage(int width, int height) {
            if (planes.length == 1) {
                BufferedImage grey = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
                WritableRaster raster = grey.getRaster();
                raster.setSamples(0, 0, width, height, 0, planes[0]);
                return grey;
            }
            boolean alpha = planes.length == 4;
            BufferedImage result =
                    new BufferedImage(width, height, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
            int[] argb = new int[width * height];
            for (int i = 0; i < argb.length; i++) {
                int a = alpha ? planes[3][i] : MAX_8BIT;
                argb[i] = (a << 24) | (planes[0][i] << 16) | (planes[1][i] << 8) | planes[2][i];
            }
            result.setRGB(0, 0, width, height, argb, 0, width);
            return result;
        }
    }
}
