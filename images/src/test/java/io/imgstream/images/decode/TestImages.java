package io.imgstream.images.decode;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Real encoded images made with ImageIO, for decoder and preprocessing tests. */
final class TestImages {

    private TestImages() {}

    static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException(
                        "no ImageIO writer for " + format + " and image type " + image.getType());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A colour image: left half red, right half blue, with a green top row. */
    static BufferedImage colourBlocks(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = y == 0 ? 0x00FF00 : x < width / 2 ? 0xFF0000 : 0x0000FF;
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    /** A smooth grey gradient, so lossy formats stay close to the original. */
    static BufferedImage greyGradient(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, (x * 255) / Math.max(1, width - 1));
            }
        }
        return image;
    }
}
