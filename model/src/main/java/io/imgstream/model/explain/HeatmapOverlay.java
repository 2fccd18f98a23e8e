package io.imgstream.model.explain;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Draws a {@link Heatmap} over its image in a JET-like colour map (blue = 0, green = 0.5, red = 1),
 * blended with the image, and writes it as PNG.
 *
 * <p>Stateless and thread-safe.
 */
public final class HeatmapOverlay {

    /** Default weight of the colour map in the blend; the image keeps the rest. */
    public static final double DEFAULT_OPACITY = 0.4;

    private static final String PNG = "png";
    private static final int MAX_8BIT = 255;
    private static final double JET_SLOPE = 4.0;
    private static final double JET_PEAK = 1.5;

    private HeatmapOverlay() {}

    /**
     * Blends the colour-mapped heatmap over the image.
     *
     * @param image   the image the heatmap was computed for; 8-bit grey images are read by their raw
     *                sample values, others through {@link BufferedImage#getRGB}
     * @param heatmap a heatmap of the image's size
     * @param opacity weight of the colour map, in {@code [0, 1]}
     * @return a new {@code TYPE_INT_RGB} image of the same size
     * @throws IllegalArgumentException if the sizes differ or opacity is out of range
     */
    public static BufferedImage render(BufferedImage image, Heatmap heatmap, double opacity) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(heatmap, "heatmap");
        if (image.getWidth() != heatmap.width() || image.getHeight() != heatmap.height()) {
            throw new IllegalArgumentException("heatmap is " + heatmap.width() + " x " + heatmap.height()
                    + " but the image is " + image.getWidth() + " x " + image.getHeight());
        }
        if (!(opacity >= 0 && opacity <= 1)) {
            throw new IllegalArgumentException("opacity must be in [0, 1], was " + opacity);
        }
        int width = image.getWidth();
        int height = image.getHeight();
        int[] rgb = rgbOf(image);
        BufferedImage overlay = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] out = new int[width * height];
        for (int i = 0; i < out.length; i++) {
            double v = heatmap.values()[i];
            int r = blend((rgb[i] >> 16) & MAX_8BIT, jet(v, 3), opacity);
            int g = blend((rgb[i] >> 8) & MAX_8BIT, jet(v, 2), opacity);
            int b = blend(rgb[i] & MAX_8BIT, jet(v, 1), opacity);
            out[i] = (r << 16) | (g << 8) | b;
        }
        overlay.setRGB(0, 0, width, height, out, 0, width);
        return overlay;
    }

    /**
     * Renders the overlay with {@value #DEFAULT_OPACITY} opacity and writes it as a PNG file,
     * through a temporary file in the same directory, so readers never see half a file.
     *
     * @param image   the image
     * @param heatmap its heatmap
     * @param target  the PNG file to write; replaced if it exists; its directory must exist
     * @throws IOException if the file can't be written
     */
    public static void writePng(BufferedImage image, Heatmap heatmap, Path target) throws IOException {
        Objects.requireNonNull(target, "target");
        BufferedImage overlay = render(image, heatmap, DEFAULT_OPACITY);
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        if (!ImageIO.write(overlay, PNG, temporary.toFile())) {
            throw new IOException("no PNG writer is available to write " + target);
        }
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** One channel of the JET map: a tent of slope 4 centred at {@code centre / 4}, clipped to [0, 1]. */
    private static double jet(double value, int centre) {
        return Math.max(0, Math.min(1, JET_PEAK - Math.abs(JET_SLOPE * value - centre)));
    }

    private static int blend(int channel, double colour, double opacity) {
        return (int) Math.round((1 - opacity) * channel + opacity * colour * MAX_8BIT);
    }

    private static int[] rgbOf(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        ColorModel model = image.getColorModel();
        if (model.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && model.getNumComponents() == 1
                && model.getComponentSize(0) == Byte.SIZE) {
            // getRGB would treat the grey as linear light and brighten it.
            int[] grey = image.getRaster().getSamples(0, 0, width, height, 0, new int[width * height]);
            for (int i = 0; i < grey.length; i++) {
                grey[i] = (grey[i] << 16) | (grey[i] << 8) | grey[i];
            }
            return grey;
        }
        return image.getRGB(0, 0, width, height, null, 0, width);
    }
}
