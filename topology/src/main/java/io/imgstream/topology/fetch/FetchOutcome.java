package io.imgstream.topology.fetch;

import io.imgstream.images.fetch.FetchException;


/**
 * What fetching one image came to: the decoded image, or the refusal that becomes its dead letter.
 */
public sealed interface FetchOutcome {

    /** The image was fetched and decoded. */
    record Loaded(DecodedImage image) implements FetchOutcome {
    }

    /** The image was refused; {@code failure} says at which stage and why. */
    record Refused(FetchException failure) implements FetchOutcome {
    }
}
