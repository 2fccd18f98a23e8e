package io.imgstream.images;

import io.imgstream.images.decode.ImageDecodeException;
import io.imgstream.images.decode.ImageDecoder;
import io.imgstream.images.decode.TargetSize;
import io.imgstream.images.fetch.FetchException;
import io.imgstream.images.fetch.ImageFetcher;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * Fetches and decodes the image an {@link ImageRef} names: the {@link ImageFetcher}'s scheme, root and size
 * checks, then the {@link ImageDecoder}'s format and pixel checks. Every refusal is a {@link FetchException}
 * carrying the dead-letter stage and reason.
 *
 * <p>Thread-safe and stateless: the fetch pool's workers share one instance.
 */
public final class ImageLoader {

    private static final double NANOS_PER_MILLI = 1e6;

    private final ImageFetcher fetcher;
    private final ImageDecoder decoder;

    /**
     * @param fetcher where the encoded bytes come from
     * @param decoder how they become pixels
     */
    public ImageLoader(ImageFetcher fetcher, ImageDecoder decoder) {
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
    }

    /**
     * A decoded image and how long fetching and decoding it took.
     *
     * @param image  the decoded pixels
     * @param loadMs wall-clock time spent fetching and decoding, in milliseconds
     */
    public record LoadedImage(BufferedImage image, double loadMs) {}

    /**
     * Fetches and decodes one image at its full size.
     *
     * @param ref the untrusted reference
     * @return the decoded image with the time it took
     * @throws FetchException if the reference is refused, the image is missing or too large, or it does not decode
     */
    public LoadedImage load(ImageRef ref) throws FetchException {
        long started = System.nanoTime();
        byte[] bytes = fetcher.fetch(ref);
        BufferedImage image = decode(ref.getId(), () -> decoder.decode(bytes));
        return new LoadedImage(image, (System.nanoTime() - started) / NANOS_PER_MILLI);
    }

    /**
     * Fetches one image and decodes it for a model whose input is {@code target}, reduced while it is read if it
     * is much larger (see {@link ImageDecoder#decode(byte[], TargetSize)}).
     *
     * @param ref    the untrusted reference
     * @param target the input size of the model the image is for
     * @return the decoded image with the time it took
     * @throws FetchException as {@link #load(ImageRef)}
     */
    public LoadedImage load(ImageRef ref, TargetSize target) throws FetchException {
        long started = System.nanoTime();
        byte[] bytes = fetcher.fetch(ref);
        BufferedImage image = decode(ref.getId(), () -> decoder.decode(bytes, target));
        return new LoadedImage(image, (System.nanoTime() - started) / NANOS_PER_MILLI);
    }

    /** One call of the decoder. */
    @FunctionalInterface
    private interface Decoding {
        BufferedImage run() throws ImageDecodeException;
    }

    private static BufferedImage decode(CharSequence id, Decoding decoding) throws FetchException {
        try {
            return decoding.run();
        } catch (ImageDecodeException e) {
            throw new FetchException(
                    DeadLetterStage.DECODE, reasonOf(e.reason()), "image " + id + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Codecs throw arbitrary runtime exceptions on hostile input; the input is at fault, not the scorer.
            throw new FetchException(
                    DeadLetterStage.DECODE,
                    DeadLetterReason.UNDECODABLE,
                    "image " + id + ": decoder failed on these bytes (" + e + "); check the file is a valid image",
                    e);
        }
    }

    private static DeadLetterReason reasonOf(ImageDecodeException.Reason reason) {
        return switch (reason) {
            case EMPTY -> DeadLetterReason.EMPTY;
            case TOO_LARGE -> DeadLetterReason.TOO_LARGE;
            case TOO_MANY_PIXELS -> DeadLetterReason.TOO_MANY_PIXELS;
            case UNSUPPORTED_FORMAT -> DeadLetterReason.UNSUPPORTED_FORMAT;
            case UNDECODABLE -> DeadLetterReason.UNDECODABLE;
            // Dead letters already name slow sources FETCH_TIMEOUT; the DECODE stage tells a slow decode apart.
            case TIMED_OUT -> DeadLetterReason.FETCH_TIMEOUT;
        };
    }
}
