package io.imgstream.labeling.web;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Re-encodes a decoded image as PNG for the browser, so the bytes a browser parses are ours, never the file's; at
 * most {@value #MAX_SIDE} pixels a side, as a person needs no more to name the class.
 */
final class BrowserImage {

    /** Longest side sent, in pixels. */
    static final int MAX_SIDE = 1024;
    /** The type of what {@link #png} returns. */
    static final String CONTENT_TYPE = "image/png";

    private BrowserImage() {}

    /** The image as PNG bytes, scaled down to {@value #MAX_SIDE} pixels a side if larger. */
    static byte[] png(BufferedImage image) {
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(image.getWidth(), image.getHeight()));
        int width = Math.max(1, (int) Math.round(image.getWidth() * scale));
        int height = Math.max(1, (int) Math.round(image.getHeight() * scale));
        // Drawn onto a plain ARGB image: decoders return types (16-bit grey, CMYK) the PNG writer may not take.
        BufferedImage plain = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = plain.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(plain, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a PNG to memory failed", e);
        }
        return out.toByteArray();
    }
}
