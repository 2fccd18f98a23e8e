package io.imgstream.images.decode;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

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

    /**
     * A photo-like colour image: smooth gradients with fine, seeded noise on top, so that it neither compresses
     * to nothing nor decodes trivially fast.
     */
    static BufferedImage texture(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        Random random = new Random(width * 31L + height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int red = x * 255 / width;
                int green = y * 255 / height;
                int blue = ((x / 16 + y / 16) % 2) * 128 + random.nextInt(64);
                pixels[y * width + x] = red << 16 | green << 8 | blue;
            }
        }
        return image;
    }

    /** A progressive JPEG, which the JDK's reader decodes several times slower than a baseline one. */
    static byte[] progressiveJpeg(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
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
