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
     */
    record Loaded(BufferedImage pixels, double fetchMs) implements FetchOutcome {}

    /** The image was refused; {@code failure} says at which stage and why. */
    record Refused(FetchException failure) implements FetchOutcome {}
}
