package io.imgstream.images.decode;

import io.imgstream.images.decode.ImageDecodeException.Reason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadProgressListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG, PNG, GIF and BMP bytes into a {@link BufferedImage} with {@code javax.imageio},
 * refusing inputs that break {@link ImageLimits}.
 *
 * <p>Order of checks, each cheaper than the next: empty input; byte count against
 * {@link ImageLimits#maxBytes()}; format sniffed from the content (never from a file name) with
 * {@link javax.imageio.ImageIO#getImageReaders(Object)}; width and height read from the header
 * <em>before</em> any pixel is decoded and refused above {@link ImageLimits#maxPixels()}, so a
 * small file that declares 100000 x 100000 pixels costs nothing; a BMP that wraps a whole JPEG or PNG
 * ({@link BmpHeader}) is refused from its header too; finally the pixels, reduced while they are read when
 * the caller names the model's input size ({@link #decode(byte[], TargetSize)}).
 *
 * <p><strong>Time:</strong> decoding stops at {@link ImageLimits#maxDecodeTime()}. The decoding thread checks
 * the deadline at every read of the encoded bytes and at every row it writes, and aborts its own reader, so
 * the check needs no other thread and works for the JPEG reader, which accepts {@code abort()} from no other.
 *
 * <p>The returned image is what ImageIO produced, so its type varies: {@code TYPE_3BYTE_BGR} for
 * colour JPEG, {@code TYPE_BYTE_GRAY} or {@code TYPE_USHORT_GRAY} for grey PNG,
 * {@code TYPE_BYTE_INDEXED} for palette images, 4-band types with alpha, 16-bit types.
 * {@link Preprocessing} accepts all of them. For GIF only the first frame is decoded.
 *
 * <p><strong>Truncated files are refused for every format</strong> ({@link Reason#UNDECODABLE}).
 * PNG, GIF and BMP readers fail on their own. The JPEG reader does not: on a short file it only
 * warns and returns the image with the missing rows filled with grey, which would then be
 * classified as if it were real. This decoder turns the JDK reader's truncation warnings
 * ("Truncated File - Missing EOI marker", "Corrupt JPEG data: premature end of data segment") into
 * a failure, so a JPEG that lacks only its final end-of-image marker is refused too. Other JPEG
 * warnings (such as extraneous bytes between markers, common from cameras) are tolerated.
 *
 * <p>Thread-safe: every call uses its own reader and stream; instances can be shared.
 */
public final class ImageDecoder {

    /** Format names, as ImageIO reports them in lower case, that this decoder accepts. */
    public static final Set<String> SUPPORTED_FORMATS = Set.of("jpeg", "png", "gif", "bmp");

    private static final String SUPPORTED_FORMATS_TEXT = "JPEG, PNG, GIF or BMP";
    /** Lower-case fragments of the JDK JPEG reader's warnings for data that ends early. */
    private static final List<String> JPEG_TRUNCATION_WARNINGS = List.of("truncated file", "premature end");

    private static final double BYTES_PER_KIB = 1024.0;
    private static final double BYTES_PER_MIB = BYTES_PER_KIB * 1024.0;
    /** The most one side may exceed the other, read from the header like the pixel count. */
    public static final long MAX_ASPECT_RATIO = 64;

    private static final double PIXELS_PER_MEGAPIXEL = 1_000_000.0;
    /** How many times the target's side a subsampled image keeps, at least. */
    private static final int SUBSAMPLING_MARGIN = 2;

    private static final int SIGNATURE_BYTES_SHOWN = 8;

    private final ImageLimits limits;

    /**
     * Creates a decoder.
     *
     * @param limits the limits to enforce on every image
     */
    public ImageDecoder(ImageLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Returns the limits this decoder enforces.
     *
     * @return the limits
     */
    public ImageLimits limits() {
        return limits;
    }

    /**
     * Decodes one image at its full size.
     *
     * @param bytes the encoded image (the whole file); not modified
     * @return the decoded image (first frame for GIF), of whatever type ImageIO produced
     * @throws ImageDecodeException if the input is empty, too large, declares too many pixels, is
     *                              not a supported format, is corrupt or truncated, or takes longer
     *                              than {@link ImageLimits#maxDecodeTime()} to decode
     */
    public BufferedImage decode(byte[] bytes) throws ImageDecodeException {
        return decodeFor(bytes, null);
    }

    /**
     * Decodes one image for a model whose input is {@code target}: an image more than twice as large in both
     * directions is decoded straight to a fraction of its size (every n-th pixel of every n-th row, the
     * largest n that leaves both sides at least twice the target's), so its full-size pixels are never
     * allocated. The margin leaves the resize to the model's input at least one halving step, which averages
     * what plain subsampling would alias.
     *
     * @param bytes  the encoded image (the whole file); not modified
     * @param target the input size of the model the image is for
     * @return the decoded image, reduced or at its full size
     * @throws ImageDecodeException as {@link #decode(byte[])}
     */
    public BufferedImage decode(byte[] bytes, TargetSize target) throws ImageDecodeException {
        return decodeFor(bytes, Objects.requireNonNull(target, "target"));
    }

    /**
     * How much to subsample an image of {@code width x height} for {@code target}.
     *
     * @return the step between decoded pixels in both directions; 1 decodes every pixel
     */
    static int subsampling(long width, long height, TargetSize target) {
        long acrossWidth = width / (SUBSAMPLING_MARGIN * target.width());
        long acrossHeight = height / (SUBSAMPLING_MARGIN * target.height());
        return (int) Math.max(1, Math.min(acrossWidth, acrossHeight));
    }

    private BufferedImage decodeFor(byte[] bytes, TargetSize target) throws ImageDecodeException {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new ImageDecodeException(
                    Reason.EMPTY,
                    "image has 0 bytes; expected a JPEG, PNG, GIF or BMP file (check that the producer sends the file "
                            + "content)");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new ImageDecodeException(
                    Reason.TOO_LARGE,
                    String.format(
                            Locale.ROOT,
                            "image is %s (%d bytes); the limit is %s (raise the image byte limit or resize upstream)",
                            readableSize(bytes.length),
                            bytes.length,
                            readableSize(limits.maxBytes())));
        }
        DecodeDeadline deadline = DecodeDeadline.after(limits.maxDecodeTime());
        try (ImageInputStream input = new DeadlineImageInputStream(new ByteArrayInputStream(bytes), deadline)) {
            ImageReader reader = sniffedReader(input, bytes, deadline);
            try {
                String format = reader.getFormatName().toUpperCase(Locale.ROOT);
                if ("BMP".equals(format)) {
                    refuseEmbeddedCodec(bytes);
                }
                return read(reader, format, input, target, deadline);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            if (deadline.wasReached()) {
                throw timedOut(deadline, e);
            }
            throw new ImageDecodeException(Reason.UNDECODABLE, "could not read the image stream: " + e.getMessage(), e);
        }
    }

    /** The reader for the sniffed format; a sniff cut short by the deadline is a timeout, not a strange format. */
    private static ImageReader sniffedReader(ImageInputStream input, byte[] bytes, DecodeDeadline deadline)
            throws ImageDecodeException, IOException {
        try {
            return supportedReader(input, bytes);
        } catch (ImageDecodeException e) {
            if (deadline.wasReached()) {
                throw timedOut(deadline, e);
            }
            throw e;
        }
    }

    private static void refuseEmbeddedCodec(byte[] bytes) throws ImageDecodeException {
        Optional<String> codec = BmpHeader.embeddedCodec(bytes);
        if (codec.isPresent()) {
            throw new ImageDecodeException(
                    Reason.UNSUPPORTED_FORMAT,
                    String.format(
                            Locale.ROOT,
                            "BMP holds a whole %1$s file (compression BI_%1$s), whose real size its header does not "
                                    + "show; expected an uncompressed or RLE BMP (send the %1$s itself, or convert "
                                    + "it upstream)",
                            codec.get()));
        }
    }

    private static ImageDecodeException timedOut(DecodeDeadline deadline, Throwable cause) {
        return new ImageDecodeException(
                Reason.TIMED_OUT,
                String.format(
                        Locale.ROOT,
                        "decoding was stopped after %d ms, the decode time limit; the file may be built to decode "
                                + "slowly (raise the limit if such images are expected, or re-encode it upstream)",
                        deadline.budget().toMillis()),
                cause);
    }

    private static ImageReader supportedReader(ImageInputStream input, byte[] bytes)
            throws ImageDecodeException, IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
        List<String> otherFormats = new ArrayList<>();
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            if (SUPPORTED_FORMATS.contains(format)) {
                return reader;
            }
            otherFormats.add(format);
            reader.dispose();
        }
        if (!otherFormats.isEmpty()) {
            throw new ImageDecodeException(
                    Reason.UNSUPPORTED_FORMAT,
                    String.format(
                            Locale.ROOT,
                            "image format is %s; expected %s (convert it upstream)",
                            String.join("/", otherFormats).toUpperCase(Locale.ROOT),
                            SUPPORTED_FORMATS_TEXT));
        }
        throw new ImageDecodeException(
                Reason.UNSUPPORTED_FORMAT,
                String.format(
                        Locale.ROOT,
                        "image format not recognised (first bytes %s); expected %s (check that the producer sends the "
                                + "file content, not a path, text or base64)",
                        signature(bytes),
                        SUPPORTED_FORMATS_TEXT));
    }

    private BufferedImage read(
            ImageReader reader, String format, ImageInputStream input, TargetSize target, DecodeDeadline deadline)
            throws ImageDecodeException {
        AtomicReference<String> truncation = new AtomicReference<>();
        reader.addIIOReadWarningListener((source, warning) -> {
            String lower = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
            if (JPEG_TRUNCATION_WARNINGS.stream().anyMatch(lower::contains)) {
                truncation.compareAndSet(null, warning);
            }
        });
        reader.addIIOReadProgressListener(new AbortAtDeadline(deadline));
        // Metadata is ignored: we need pixels only, and skipping it avoids parsing hostile chunks.
        reader.setInput(input, true, true);
        try {
            long width = reader.getWidth(0);
            long height = reader.getHeight(0);
            checkPixels(format, width, height);
            ImageReadParam param = reader.getDefaultReadParam();
            if (target != null) {
                int step = subsampling(width, height, target);
                param.setSourceSubsampling(step, step, 0, 0);
            }
            BufferedImage image = reader.read(0, param);
            if (deadline.wasReached()) {
                // Some readers return what they had when aborted, with the missing rows blank.
                throw timedOut(deadline, null);
            }
            if (truncation.get() != null) {
                throw new ImageDecodeException(
                        Reason.UNDECODABLE,
                        String.format(
                                Locale.ROOT,
                                "%s data ends early (%s); the missing rows would be grey, so the image is refused "
                                        + "(send the complete file)",
                                format,
                                truncation.get()));
            }
            return image;
        } catch (IOException | RuntimeException e) {
            if (deadline.wasReached()) {
                // Readers wrap the stream's deadline failure in their own exceptions.
                throw timedOut(deadline, e);
            }
            // Some readers throw unchecked exceptions (index, argument, colour-profile errors) on corrupt data.
            throw new ImageDecodeException(
                    Reason.UNDECODABLE,
                    String.format(
                            Locale.ROOT,
                            "%s data is corrupt or truncated (%s: %s); expected a complete %s file (re-encode or "
                                    + "re-send it)",
                            format,
                            e.getClass().getSimpleName(),
                            e.getMessage(),
                            format),
                    e);
        }
    }

    /**
     * Aborts the read from the reading thread (the only one the JPEG reader accepts it from) when a row is
     * written after the deadline: the output phase reads no input, so the stream's check can't stop it.
     */
    private static final class AbortAtDeadline implements IIOReadProgressListener {

        private final DecodeDeadline deadline;

        AbortAtDeadline(DecodeDeadline deadline) {
            this.deadline = deadline;
        }

        @Override
        public void imageProgress(ImageReader source, float percentageDone) {
            if (deadline.reached()) {
                source.abort();
            }
        }

        @Override
        public void sequenceStarted(ImageReader source, int minIndex) {}

        @Override
        public void sequenceComplete(ImageReader source) {}

        @Override
        public void imageStarted(ImageReader source, int imageIndex) {}

        @Override
        public void imageComplete(ImageReader source) {}

        @Override
        public void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) {}

        @Override
        public void thumbnailProgress(ImageReader source, float percentageDone) {}

        @Override
        public void thumbnailComplete(ImageReader source) {}

        @Override
        public void readAborted(ImageReader source) {}
    }

    private void checkPixels(String format, long width, long height) throws ImageDecodeException {
        if (width <= 0 || height <= 0) {
            throw new ImageDecodeException(
                    Reason.UNDECODABLE,
                    String.format(
                            Locale.ROOT,
                            "%s header declares %d x %d pixels; expected a positive width and height (the file is "
                                    + "corrupt)",
                            format,
                            width,
                            height));
        }
        if (Math.max(width, height) > MAX_ASPECT_RATIO * Math.min(width, height)) {
            throw new ImageDecodeException(
                    Reason.TOO_MANY_PIXELS,
                    String.format(
                            Locale.ROOT,
                            "%s header declares %d x %d pixels, a side more than %d times the other; no camera or "
                                    + "scan makes such images, and resizing one would need a buffer far beyond its "
                                    + "pixel count (crop it upstream)",
                            format,
                            width,
                            height,
                            MAX_ASPECT_RATIO));
        }
        long pixels = width * height;
        if (pixels > limits.maxPixels()) {
            throw new ImageDecodeException(
                    Reason.TOO_MANY_PIXELS,
                    String.format(
                            Locale.ROOT,
                            "%s header declares %d x %d = %.1f megapixels; the limit is %.1f megapixels (raise the "
                                    + "pixel limit or resize upstream)",
                            format,
                            width,
                            height,
                            pixels / PIXELS_PER_MEGAPIXEL,
                            limits.maxPixels() / PIXELS_PER_MEGAPIXEL));
        }
    }

    private static String readableSize(long bytes) {
        return bytes < BYTES_PER_MIB
                ? String.format(Locale.ROOT, "%.1f KiB", bytes / BYTES_PER_KIB)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / BYTES_PER_MIB);
    }

    private static String signature(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        int shown = Math.min(bytes.length, SIGNATURE_BYTES_SHOWN);
        for (int i = 0; i < shown; i++) {
            hex.append(String.format(Locale.ROOT, "%02x", bytes[i] & 0xff));
            if (i < shown - 1) {
                hex.append(' ');
            }
        }
        return hex.toString();
    }
}
