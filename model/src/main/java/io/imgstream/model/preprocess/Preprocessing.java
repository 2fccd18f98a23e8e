package io.imgstream.model.preprocess;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How images become network input: target size, channels, pixel scaling and resize policy. The
 * record is stored in every model bundle, and training and scoring both call it, so they can't
 * disagree.
 *
 * <p>Steps, in order, for an image of any {@link BufferedImage} type:
 * <ol>
 *   <li><strong>To 8-bit sRGB.</strong> Grey images (8 or 16 bit, with or without alpha) use their
 *   raw sample values as the grey level, scaled to 0..255 by bit depth; Java2D's own conversion
 *   would treat them as linear grey and brighten them. Every other type (RGB, BGR, palette, 16-bit,
 *   ICC-tagged) goes through {@link BufferedImage#getRGB}. Alpha is composited over white, as a
 *   transparent product photo shows on a web page.</li>
 *   <li><strong>Resize</strong> with Java2D bilinear interpolation ({@link
 *   RenderingHints#VALUE_INTERPOLATION_BILINEAR}) after an optional centred crop ({@link
 *   ResizePolicy}). A reduction by more than a factor 2 halves the image repeatedly with bilinear
 *   first, which is close to area averaging and avoids the aliasing of one large bilinear step. An
 *   image that already has the target size is not interpolated.</li>
 *   <li><strong>Channels.</strong> Three channels: red, green, blue (or blue, green, red for
 *   {@link PixelScaling#CAFFE_BGR}). One channel: luminance {@code 0.299 R + 0.587 G + 0.114 B}
 *   (ITU-R BT.601, as PIL's {@code convert("L")}); a grey pixel keeps its exact value.</li>
 *   <li><strong>Scale</strong> per {@link PixelScaling}, computed in double and stored as float.</li>
 * </ol>
 *
 * <p>Immutable and thread-safe.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a size is not positive, channels
 * is not 1 or 3, or {@link PixelScaling#CAFFE_BGR} is combined with 1 channel; {@code
 * NullPointerException} if scaling or resize is null.
 *
 * @param height   network input height in pixels; positive
 * @param width    network input width in pixels; positive
 * @param channels 1 (luminance) or 3 (colour)
 * @param scaling  how 8-bit values become floats; {@link PixelScaling#CAFFE_BGR} needs 3 channels
 * @param resize   how the aspect ratio is handled
 */
public record Preprocessing(int height, int width, int channels, PixelScaling scaling, ResizePolicy resize) {

    private static final double MAX_8BIT = 255.0;
    private static final double TF_HALF_RANGE = 127.5;
    private static final double LUMA_RED = 0.299;
    private static final double LUMA_GREEN = 0.587;
    private static final double LUMA_BLUE = 0.114;
    private static final int WHITE_RGB = 0xFFFFFF;
    private static final int BATCH_RANK = 4;

    public Preprocessing {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("height and width must be positive, were " + height + " x " + width);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 (grey) or 3 (colour), was " + channels);
        }
        Objects.requireNonNull(scaling, "scaling");
        Objects.requireNonNull(resize, "resize");
        if (scaling == PixelScaling.CAFFE_BGR && channels != 3) {
            throw new IllegalArgumentException(
                    "CAFFE_BGR subtracts per-channel ImageNet means and needs 3 channels, not " + channels);
        }
    }

    /**
     * Returns the NCHW shape of a batch of {@code batchSize} images.
     *
     * @param batchSize number of images; positive
     * @return {@code [batchSize, channels, height, width]}
     */
    public long[] batchShape(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
        }
        return new long[] {batchSize, channels, height, width};
    }

    /**
     * Preprocesses images into a new float batch.
     *
     * @param images one or more images of any type and size
     * @return a float array of shape {@code [images.size(), channels, height, width]}, C order
     * @throws IllegalArgumentException if the list is empty
     */
    public INDArray toBatch(List<BufferedImage> images) {
        Objects.requireNonNull(images, "images");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("images must not be empty");
        }
        INDArray batch = Nd4j.create(DataType.FLOAT, batchShape(images.size()));
        for (int i = 0; i < images.size(); i++) {
            writeInto(images.get(i), batch, i);
        }
        return batch;
    }

    /**
     * Preprocesses one image into row {@code index} of a preallocated batch, so callers can reuse
     * one buffer across batches.
     *
     * @param image an image of any type and size
     * @param batch a floating-point array of shape {@code [n, channels, height, width]}
     * @param index the row to overwrite, {@code 0 <= index < n}
     * @throws IllegalArgumentException if the batch shape or type does not match, or the index is out of range
     */
    public void writeInto(BufferedImage image, INDArray batch, int index) {
        Objects.requireNonNull(batch, "batch");
        long[] shape = batch.shape();
        if (batch.rank() != BATCH_RANK || shape[1] != channels || shape[2] != height || shape[3] != width) {
            throw new IllegalArgumentException("batch has shape " + Arrays.toString(shape) + "; expected [n, "
                    + channels + ", " + height + ", " + width + "] for " + this);
        }
        if (!batch.dataType().isFPType()) {
            throw new IllegalArgumentException(
                    "batch has data type " + batch.dataType() + "; expected a floating-point type");
        }
        if (index < 0 || index >= shape[0]) {
            throw new IllegalArgumentException("index " + index + " is outside the batch of " + shape[0]);
        }
        float[] values = toArray(image);
        batch.slice(index).assign(Nd4j.create(values, new long[] {channels, height, width}, 'c'));
    }

    /**
     * Preprocesses one image into a plain array.
     *
     * @param image an image of any type and size
     * @return {@code channels * height * width} floats in CHW order
     */
    public float[] toArray(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        BufferedImage resized = resize(toRgb(image));
        int[] rgb = ((DataBufferInt) resized.getRaster().getDataBuffer()).getData();
        int plane = height * width;
        float[] out = new float[channels * plane];
        for (int i = 0; i < plane; i++) {
            int r = (rgb[i] >> 16) & 0xFF;
            int g = (rgb[i] >> 8) & 0xFF;
            int b = rgb[i] & 0xFF;
            if (channels == 1) {
                double luma = r == g && g == b ? r : LUMA_RED * r + LUMA_GREEN * g + LUMA_BLUE * b;
                out[i] = (float) scale(luma);
            } else if (scaling == PixelScaling.CAFFE_BGR) {
                out[i] = (float) (b - PixelScaling.IMAGENET_MEAN_BLUE);
                out[plane + i] = (float) (g - PixelScaling.IMAGENET_MEAN_GREEN);
                out[2 * plane + i] = (float) (r - PixelScaling.IMAGENET_MEAN_RED);
            } else {
                out[i] = (float) scale(r);
                out[plane + i] = (float) scale(g);
                out[2 * plane + i] = (float) scale(b);
            }
        }
        return out;
    }

    /**
     * Resizes an image to this record's size and policy without scaling pixel values, e.g. to draw
     * an overlay on exactly what the network saw.
     *
     * @param image an image of any type and size
     * @return a new {@code TYPE_INT_RGB} image of {@code width x height}
     */
    public BufferedImage resized(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        BufferedImage result = resize(toRgb(image));
        return result == image ? copyOf(image) : result;
    }

    private double scale(double value) {
        return switch (scaling) {
            case UNIT -> value / MAX_8BIT;
            case TF -> value / TF_HALF_RANGE - 1.0;
            case CAFFE_BGR -> throw new IllegalStateException("CAFFE_BGR is handled per channel");
        };
    }

    private BufferedImage resize(BufferedImage rgb) {
        int sourceWidth = rgb.getWidth();
        int sourceHeight = rgb.getHeight();
        BufferedImage region = rgb;
        if (resize == ResizePolicy.CENTER_CROP) {
            int cropWidth = sourceWidth;
            int cropHeight = sourceHeight;
            // Compare aspect ratios without division: source wider than target means crop the sides.
            if ((long) sourceWidth * height > (long) width * sourceHeight) {
                cropWidth = clamp((int) Math.round((double) sourceHeight * width / height), sourceWidth);
            } else {
                cropHeight = clamp((int) Math.round((double) sourceWidth * height / width), sourceHeight);
            }
            if (cropWidth != sourceWidth || cropHeight != sourceHeight) {
                region = copyOf(rgb.getSubimage(
                        (sourceWidth - cropWidth) / 2, (sourceHeight - cropHeight) / 2, cropWidth, cropHeight));
            }
        }
        BufferedImage current = region;
        while (current.getWidth() != width || current.getHeight() != height) {
            int nextWidth = current.getWidth() > width ? Math.max(width, current.getWidth() / 2) : width;
            int nextHeight = current.getHeight() > height ? Math.max(height, current.getHeight() / 2) : height;
            current = scaleBilinear(current, nextWidth, nextHeight);
        }
        return current;
    }

    private static int clamp(int size, int max) {
        return Math.max(1, Math.min(size, max));
    }

    private static BufferedImage scaleBilinear(BufferedImage source, int targetWidth, int targetHeight) {
        BufferedImage target = new BufferedImage(targetWidth, targetHeight, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = target.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(source, 0, 0, targetWidth, targetHeight, null);
        } finally {
            g.dispose();
        }
        return target;
    }

    private static BufferedImage copyOf(BufferedImage rgb) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        BufferedImage copy = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] target = ((DataBufferInt) copy.getRaster().getDataBuffer()).getData();
        rgb.getRGB(0, 0, w, h, target, 0, w);
        for (int i = 0; i < target.length; i++) {
            target[i] &= WHITE_RGB;
        }
        return copy;
    }

    /**
     * Converts any image to an unshared-layout {@code TYPE_INT_RGB} image (offset 0, scanline =
     * width), composited over white. Returns the input itself when it already is one.
     */
    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB && isPlainLayout(image)) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] target = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
        ColorModel model = image.getColorModel();
        if (model.getColorSpace().getType() == ColorSpace.TYPE_GRAY && model.getNumColorComponents() == 1) {
            fillFromGrey(image, target);
        } else if (!fillFromBgrBytes(image, target)) {
            image.getRGB(0, 0, w, h, target, 0, w);
            for (int i = 0; i < target.length; i++) {
                target[i] = overWhite(target[i]);
            }
        }
        return rgb;
    }

    private static boolean isPlainLayout(BufferedImage image) {
        Raster raster = image.getRaster();
        return raster.getParent() == null
                && raster.getMinX() == 0
                && raster.getMinY() == 0
                && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0
                && raster.getDataBuffer().getNumBanks() == 1
                && raster.getDataBuffer().getOffset() == 0;
    }

    private static void fillFromGrey(BufferedImage image, int[] target) {
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        double greyMax = (1 << model.getComponentSize(0)) - 1;
        boolean alpha = model.hasAlpha();
        double alphaMax = alpha ? (1 << model.getComponentSize(1)) - 1 : 1;
        boolean premultiplied = model.isAlphaPremultiplied();
        int[] grey = new int[w];
        int[] alphas = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, grey);
            if (alpha) {
                raster.getSamples(0, y, w, 1, 1, alphas);
            }
            for (int x = 0; x < w; x++) {
                double value = grey[x] / greyMax * MAX_8BIT;
                if (alpha) {
                    double a = alphas[x] / alphaMax;
                    double covered = premultiplied ? value : value * a;
                    value = covered + MAX_8BIT * (1.0 - a);
                }
                int v = (int) Math.round(Math.min(MAX_8BIT, value));
                target[y * w + x] = (v << 16) | (v << 8) | v;
            }
        }
    }

    /**
     * Reads a {@code TYPE_3BYTE_BGR} image, what ImageIO gives for colour JPEG, straight from its bytes: {@code getRGB}
     * goes through the colour model pixel by pixel, which made preprocessing a 448x448 photo cost about a fifth of
     * MobileNetV2's forward pass. The same values: the type is opaque sRGB, which {@code getRGB} returns
     * unchanged.
     *
     * @return false, leaving {@code target} alone, for any other type or layout
     */
    private static boolean fillFromBgrBytes(BufferedImage image, int[] target) {
        WritableRaster raster = image.getRaster();
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel layout)
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || raster.getSampleModelTranslateX() != 0
                || raster.getSampleModelTranslateY() != 0
                || layout.getNumBands() != 3) {
            return false;
        }
        int[] bandOffsets = layout.getBandOffsets();
        int pixelStride = layout.getPixelStride();
        int scanlineStride = layout.getScanlineStride();
        byte[] data = buffer.getData();
        int width = image.getWidth();
        int height = image.getHeight();
        for (int y = 0; y < height; y++) {
            int row = buffer.getOffset() + y * scanlineStride;
            for (int x = 0; x < width; x++) {
                int pixel = row + x * pixelStride;
                target[y * width + x] = (data[pixel + bandOffsets[0]] & 0xFF) << 16
                        | (data[pixel + bandOffsets[1]] & 0xFF) << 8
                        | data[pixel + bandOffsets[2]] & 0xFF;
            }
        }
        return true;
    }

    private static int overWhite(int argb) {
        int a = (argb >>> 24) & 0xFF;
        if (a == 0xFF) {
            return argb & WHITE_RGB;
        }
        int r = blendOverWhite((argb >> 16) & 0xFF, a);
        int g = blendOverWhite((argb >> 8) & 0xFF, a);
        int b = blendOverWhite(argb & 0xFF, a);
        return (r << 16) | (g << 8) | b;
    }

    private static int blendOverWhite(int channel, int alpha) {
        return (int) Math.round((channel * alpha + MAX_8BIT * (MAX_8BIT - alpha)) / MAX_8BIT);
    }
}
