package io.imgstream.images.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import io.imgstream.images.decode.ImageDecodeException.Reason;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "gif", "bmp"})
    void shouldDecodeEveryFormatMadeByImageIo(String format) throws ImageDecodeException {
        BufferedImage original = TestImages.colourBlocks(32, 24, BufferedImage.TYPE_INT_RGB);

        BufferedImage decoded = decoder.decode(TestImages.encode(original, format));

        assertThat(decoded.getWidth()).isEqualTo(32);
        assertThat(decoded.getHeight()).isEqualTo(24);
        int lowerLeft = decoded.getRGB(2, 20);
        assertThat((lowerLeft >> 16) & 0xFF)
                .as("red of a red pixel after %s", format)
                .isGreaterThan(200);
        assertThat(lowerLeft & 0xFF).as("blue of a red pixel after %s", format).isLessThan(60);
    }

    @Test
    void shouldKeepGreyValuesOfGreyscalePngAndJpeg() throws ImageDecodeException {
        BufferedImage grey = TestImages.greyGradient(64, 8);
        Preprocessing preprocessing = new Preprocessing(8, 64, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);

        float[] fromPng = preprocessing.toArray(decoder.decode(TestImages.encode(grey, "png")));
        float[] fromJpeg = preprocessing.toArray(decoder.decode(TestImages.encode(grey, "jpeg")));

        float[] expected = preprocessing.toArray(grey);
        assertThat(fromPng).containsExactly(expected, within(1e-6f));
        assertThat(fromJpeg).containsExactly(expected, within(6 / 255f));
        assertThat(fromPng[63]).as("white end of the gradient").isEqualTo(1f);
    }

    @Test
    void shouldDecodeAlphaPaletteAndSixteenBitPng() throws ImageDecodeException {
        BufferedImage alpha = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        alpha.setRGB(0, 0, 0x00000000);
        alpha.setRGB(1, 0, 0xFF000000);
        BufferedImage palette = new BufferedImage(
                4,
                4,
                BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(2, 2, new byte[] {0, (byte) 255}, new byte[] {0, 0}, new byte[] {0, 0}));
        palette.getRaster().setSample(0, 0, 0, 1);
        BufferedImage sixteenBit = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        sixteenBit.getRaster().setSample(0, 0, 0, 65535);
        sixteenBit.getRaster().setSample(1, 0, 0, 128 * 257);
        Preprocessing rgb = new Preprocessing(4, 4, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);
        Preprocessing grey = new Preprocessing(4, 4, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);

        float[] fromAlpha = rgb.toArray(decoder.decode(TestImages.encode(alpha, "png")));
        float[] fromPalette = rgb.toArray(decoder.decode(TestImages.encode(palette, "png")));
        BufferedImage decoded16 = decoder.decode(TestImages.encode(sixteenBit, "png"));
        float[] from16 = grey.toArray(decoded16);

        assertThat(new float[] {fromAlpha[0], fromAlpha[16], fromAlpha[32]})
                .as("transparent pixel over white")
                .containsExactly(1f, 1f, 1f);
        assertThat(new float[] {fromAlpha[1], fromAlpha[17], fromAlpha[33]})
                .as("opaque black")
                .containsExactly(0f, 0f, 0f);
        assertThat(new float[] {fromPalette[0], fromPalette[16], fromPalette[32]})
                .as("palette red")
                .containsExactly(1f, 0f, 0f);
        assertThat(decoded16.getType()).isEqualTo(BufferedImage.TYPE_USHORT_GRAY);
        assertThat(from16[0]).isEqualTo(1f);
        assertThat(from16[1]).isCloseTo(128 / 255f, within(1e-6f));
    }

    @Test
    void shouldDecodeOnlyTheFirstGifFrame() throws ImageDecodeException {
        BufferedImage decoded =
                decoder.decode(TestImages.encode(TestImages.colourBlocks(10, 6, BufferedImage.TYPE_INT_RGB), "gif"));

        assertThat(decoded.getWidth()).isEqualTo(10);
    }

    @Test
    void shouldRefuseZeroBytesAsEmpty() {
        ImageDecodeException e = catchThrowableOfType(ImageDecodeException.class, () -> decoder.decode(new byte[0]));

        assertThat(e.reason()).isEqualTo(Reason.EMPTY);
        assertThat(e.getMessage()).contains("0 bytes");
    }

    @Test
    void shouldRefuseRandomBytesAsUnsupportedFormat() {
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        noise[0] = 0x42;

        ImageDecodeException e = catchThrowableOfType(ImageDecodeException.class, () -> decoder.decode(noise));

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("expected JPEG, PNG, GIF or BMP");
    }

    @Test
    void shouldRefuseTextWithItsFirstBytesInTheMessage() {
        ImageDecodeException e = catchThrowableOfType(
                ImageDecodeException.class, () -> decoder.decode("/tmp/cat.png".getBytes(StandardCharsets.US_ASCII)));

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("2f 74 6d 70");
    }

    @Test
    void shouldRefuseOtherImageFormatsByName() {
        byte[] tiff = TestImages.encode(TestImages.colourBlocks(8, 8, BufferedImage.TYPE_INT_RGB), "tiff");

        ImageDecodeException e = catchThrowableOfType(ImageDecodeException.class, () -> decoder.decode(tiff));

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("image format is TIF");
    }

    @Test
    @Timeout(10)
    void shouldRefuseTruncatedPngAsUndecodable() {
        byte[] png = TestImages.encode(noiseImage(64, 64), "png");

        ImageDecodeException e = catchThrowableOfType(
                ImageDecodeException.class, () -> decoder.decode(Arrays.copyOf(png, png.length / 2)));

        assertThat(e.reason()).isEqualTo(Reason.UNDECODABLE);
        assertThat(e.getMessage()).contains("PNG");
    }

    @Test
    @Timeout(10)
    void shouldRefuseTruncatedJpegInsteadOfReturningGreyRows() {
        byte[] jpeg = TestImages.encode(noiseImage(64, 64), "jpeg");

        ImageDecodeException e = catchThrowableOfType(
                ImageDecodeException.class, () -> decoder.decode(Arrays.copyOf(jpeg, jpeg.length / 2)));

        assertThat(e.reason()).isEqualTo(Reason.UNDECODABLE);
        assertThat(e.getMessage()).contains("JPEG", "ends early");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gif", "bmp"})
    @Timeout(10)
    void shouldRefuseOtherTruncatedFormatsWithoutHanging(String format) {
        byte[] encoded = TestImages.encode(noiseImage(64, 64), format);

        ImageDecodeException e = catchThrowableOfType(
                ImageDecodeException.class, () -> decoder.decode(Arrays.copyOf(encoded, encoded.length / 2)));

        assertThat(e.reason()).isEqualTo(Reason.UNDECODABLE);
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.SECONDS)
    void shouldRefuseDecompressionBombFromItsHeaderWithoutAllocating() throws IOException {
        byte[] bomb = pngDeclaring(100_000, 100_000);
        Runtime runtime = Runtime.getRuntime();
        long usedBefore = runtime.totalMemory() - runtime.freeMemory();

        ImageDecodeException e = catchThrowableOfType(ImageDecodeException.class, () -> decoder.decode(bomb));

        long usedAfter = runtime.totalMemory() - runtime.freeMemory();
        assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
        assertThat(e.getMessage()).contains("100000 x 100000", "10000.0 megapixels", "limit is 40.0 megapixels");
        assertThat(bomb.length).isLessThan(200);
        assertThat(usedAfter - usedBefore).as("heap growth in bytes").isLessThan(64L * 1024 * 1024);
    }

    @Test
    void shouldRefuseImagesAboveTheByteLimitAsTooLarge() {
        byte[] png = TestImages.encode(noiseImage(64, 64), "png");
        ImageDecoder small = new ImageDecoder(new ImageLimits(1024, 1_000_000, Duration.ofSeconds(10)));

        ImageDecodeException e = catchThrowableOfType(ImageDecodeException.class, () -> small.decode(png));

        assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(e.getMessage()).contains(png.length + " bytes", "the limit is 1.0 KiB", "resize upstream");
    }

    @Test
    void shouldRefuseImagesAboveThePixelLimit() {
        byte[] png = TestImages.encode(noiseImage(64, 64), "png");
        ImageDecoder small = new ImageDecoder(new ImageLimits(1_000_000, 64 * 64 - 1, Duration.ofSeconds(10)));

        ImageDecodeException e = catchThrowableOfType(ImageDecodeException.class, () -> small.decode(png));

        assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    }

    @Test
    void shouldRefuseAnImageFarWiderThanTallFromItsHeaderAlthoughItsPixelsFit() {
        // 1 x 20,000 passes any pixel cap, but a line that thin is no photo, and squashing it is costly.
        byte[] line = TestImages.encode(new BufferedImage(20_000, 1, BufferedImage.TYPE_BYTE_GRAY), "png");

        ImageDecodeException e = catchThrowableOfType(ImageDecodeException.class, () -> decoder.decode(line));

        assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
        assertThat(e.getMessage()).contains("20000 x 1", "more than 64 times");
        assertThat(catchThrowableOfType(
                        ImageDecodeException.class,
                        () -> decoder.decode(
                                TestImages.encode(new BufferedImage(640, 10, BufferedImage.TYPE_BYTE_GRAY), "png"))))
                .as("64:1 is still an image")
                .isNull();
    }

    @Test
    void shouldRefuseNonPositiveLimits() {
        assertThatThrownBy(() -> new ImageLimits(0, 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> new ImageLimits(1, -1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPixels");
        assertThatThrownBy(() -> new ImageLimits(1, 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDecodeTime");
        assertThat(ImageLimits.defaults())
                .isEqualTo(new ImageLimits(10L * 1024 * 1024, 40_000_000, Duration.ofSeconds(10)));
    }

    @Test
    void shouldDecodeConcurrentlyFromOneInstance() throws Exception {
        byte[] png = TestImages.encode(TestImages.colourBlocks(40, 30, BufferedImage.TYPE_INT_RGB), "png");
        byte[] jpeg = TestImages.encode(TestImages.colourBlocks(30, 40, BufferedImage.TYPE_INT_RGB), "jpeg");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> widths = pool.invokeAll(
                    IntStream.range(0, 64)
                            .<Callable<Integer>>mapToObj(i -> () ->
                                    decoder.decode(i % 2 == 0 ? png : jpeg).getWidth())
                            .toList(),
                    30,
                    TimeUnit.SECONDS);
            for (int i = 0; i < widths.size(); i++) {
                assertThat(widths.get(i).get()).isEqualTo(i % 2 == 0 ? 40 : 30);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "png"})
    void shouldDecodeALargeImageStraightToAFewTimesTheModelInputWithoutAllocatingItsFullSize(String format) {
        byte[] large = TestImages.encode(TestImages.texture(4000, 3000), format);
        ImageDecoder generous = new ImageDecoder(new ImageLimits(64L << 20, 40_000_000, Duration.ofMinutes(1)));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        long before = threads.getCurrentThreadAllocatedBytes();
        BufferedImage reduced = decodeOrFail(() -> generous.decode(large, new TargetSize(224, 224)));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(reduced.getWidth()).isBetween(448, 1000);
        assertThat(reduced.getHeight()).isBetween(448, 1000);
        // Full size would be 4000 x 3000 x 3 bytes = 36 MB of pixels alone; the PNG reader also buffers rows.
        assertThat(allocated).as("bytes allocated while decoding").isLessThan(large.length + 12L * 1024 * 1024);
    }

    @Test
    void shouldScoreAReducedImageAsTheFullOneThroughTheModelsPreprocessing() {
        byte[] large = TestImages.encode(TestImages.texture(2400, 1800), "png");
        Preprocessing preprocessing = new Preprocessing(224, 224, 3, PixelScaling.UNIT, ResizePolicy.CENTER_CROP);

        float[] full = preprocessing.toArray(decodeOrFail(() -> decoder.decode(large)));
        float[] reduced = preprocessing.toArray(decodeOrFail(() -> decoder.decode(large, new TargetSize(224, 224))));

        double meanDifference = IntStream.range(0, full.length)
                .mapToDouble(i -> Math.abs(full[i] - reduced[i]))
                .average()
                .orElseThrow();
        assertThat(meanDifference)
                .as("mean absolute difference of unit-scaled inputs")
                .isLessThan(0.03);
    }

    @Test
    void shouldDecodeEveryPixelOfAnImageLessThanTwiceTheTarget() {
        assertThat(ImageDecoder.subsampling(447, 4000, new TargetSize(224, 224)))
                .isEqualTo(1);
        assertThat(ImageDecoder.subsampling(4000, 3000, new TargetSize(224, 224)))
                .isEqualTo(6);
        assertThat(ImageDecoder.subsampling(4000, 3000, new TargetSize(299, 150)))
                .isEqualTo(6);
        assertThat(ImageDecoder.subsampling(640, 64_000, new TargetSize(32, 32)))
                .isEqualTo(10);
    }

    @Test
    @Timeout(60)
    void shouldStopAProgressiveJpegThatDecodesPastTheDeadline() throws ImageDecodeException {
        byte[] progressive = TestImages.progressiveJpeg(TestImages.texture(4000, 3000));
        ImageLimits sizes = new ImageLimits(64L << 20, 40_000_000, Duration.ofMinutes(1));
        ImageDecoder patient = new ImageDecoder(sizes);
        ImageDecoder hurried =
                new ImageDecoder(new ImageLimits(sizes.maxBytes(), sizes.maxPixels(), Duration.ofMillis(20)));

        long started = System.nanoTime();
        patient.decode(progressive);
        long whole = System.nanoTime() - started;
        started = System.nanoTime();
        ImageDecodeException e = catchThrowableOfType(ImageDecodeException.class, () -> hurried.decode(progressive));
        long stopped = System.nanoTime() - started;

        assertThat(e).as("refused").isNotNull();
        assertThat(e.reason()).isEqualTo(Reason.TIMED_OUT);
        assertThat(e.getMessage()).contains("stopped after 20 ms");
        assertThat(stopped)
                .as("nanoseconds until refused, against %d for the whole decode", whole)
                .isLessThan(whole / 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "gif", "bmp"})
    @Timeout(60)
    void shouldStopOtherFormatsAtTheDeadlineToo(String format) {
        byte[] large = TestImages.encode(TestImages.texture(3000, 2000), format);
        ImageDecoder hurried = new ImageDecoder(new ImageLimits(64L << 20, 40_000_000, Duration.ofMillis(1)));

        ImageDecodeException e = catchThrowableOfType(ImageDecodeException.class, () -> hurried.decode(large));

        assertThat(e).as("refused").isNotNull();
        assertThat(e.reason()).isEqualTo(Reason.TIMED_OUT);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5})
    void shouldRefuseABmpThatWrapsAJpegOrPngFromItsHeader(int compression) {
        String codec = compression == 4 ? "jpeg" : "png";
        byte[] embedded = TestImages.encode(TestImages.colourBlocks(8, 8, BufferedImage.TYPE_INT_RGB), codec);
        byte[] bmp = bmpWrapping(embedded, 8, 8, compression);

        ImageDecodeException e = catchThrowableOfType(ImageDecodeException.class, () -> decoder.decode(bmp));

        assertThat(e).as("refused").isNotNull();
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("BMP holds a whole " + codec.toUpperCase(Locale.ROOT) + " file");
    }

    /** Decodes, turning a refusal into a test failure with its message. */
    private static BufferedImage decodeOrFail(Callable<BufferedImage> decoding) {
        try {
            return decoding.call();
        } catch (Exception e) {
            throw new AssertionError("decoding failed: " + e.getMessage(), e);
        }
    }

    /** A BMP with a 40-byte BITMAPINFOHEADER whose pixels are {@code embedded}, as BI_JPEG (4) or BI_PNG (5). */
    private static byte[] bmpWrapping(byte[] embedded, int width, int height, int compression) {
        int offset = 14 + 40;
        ByteBuffer bmp = ByteBuffer.allocate(offset + embedded.length).order(ByteOrder.LITTLE_ENDIAN);
        bmp.put((byte) 'B')
                .put((byte) 'M')
                .putInt(offset + embedded.length)
                .putInt(0)
                .putInt(offset);
        bmp.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 0);
        bmp.putInt(compression)
                .putInt(embedded.length)
                .putInt(2835)
                .putInt(2835)
                .putInt(0)
                .putInt(0);
        bmp.put(embedded);
        return bmp.array();
    }

    private static BufferedImage noiseImage(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(width * 31L + height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        return image;
    }

    /** A syntactically valid PNG (correct CRCs) whose IHDR declares the given size, with one tiny IDAT. */
    private static byte[] pngDeclaring(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(PNG_SIGNATURE);
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream header = new DataOutputStream(ihdr);
        header.writeInt(width);
        header.writeInt(height);
        header.writeByte(8);
        header.writeByte(2);
        header.writeByte(0);
        header.writeByte(0);
        header.writeByte(0);
        writeChunk(out, "IHDR", ihdr.toByteArray());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION))) {
            deflate.write(new byte[1024]);
        }
        writeChunk(out, "IDAT", idat.toByteArray());
        writeChunk(out, "IEND", new byte[0]);
        return bytes.toByteArray();
    }

    private static void writeChunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeInt(data.length);
        out.write(typeBytes);
        out.write(data);
        out.writeInt((int) crc.getValue());
    }
}
