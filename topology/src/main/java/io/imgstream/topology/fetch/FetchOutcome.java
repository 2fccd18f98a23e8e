package io.imgstream.topology.fetch;

import io.imgstream.images.fetch.FetchException;
import java.awt.image.BufferedImage;

/**
 * What fetching one image came to: the decoded image, or the refusal that becomes its dead letter.
 */
public sealed interface FetchOutcome {

    /**
     * The image was fetched and decoded.
     *
     * @param pixels  the decoded pixels
     * @param fetchMs wall-clock time spent fetching and decoding, in milliseconds
     * @param bytes   the size of the pixel buffers, held against the {@link FetchPool}'s budget until released
     */
    record Loaded(BufferedImage pixels, double fetchMs, long bytes) implements FetchOutcome {}

    /** The image was refused; {@code failure} says at which stage and why. */
    record Refused(FetchException failure) implements FetchOutcome {}
}
