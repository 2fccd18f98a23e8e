package io.imgstream.topology.deadletter;

import io.imgstream.images.fetch.FetchException;
import io.imgstream.schemas.FailureVerdict;

/**
 * Decides, in one place for the scorer, what a failure while handling one input record means, as Debezium's
 * {@code ErrorHandler} decides "retriable or permanent". Parse (deserializing the reference), fetch (the fetch
 * pool's workers) and score (the model's outcome for one image) all ask it. It is {@link FailureVerdict}'s rule,
 * the one every imgstream application applies, plus one: every {@link FetchException} is the record's (the images
 * module raises one only for reasons that lie in the reference, its bytes or the image source it names; the fetch
 * pool has already retried a source that failed in a way that may pass, see
 * {@link io.imgstream.topology.fetch.SourceRetries}).
 *
 * <p>Stateless and thread-safe.
 */
public final class FailureClassifier {

    private FailureClassifier() {}

    /** What {@code failure}, raised while handling one record, says about it. */
    public static FailureVerdict classify(Throwable failure) {
        return failure instanceof FetchException ? FailureVerdict.RECORD : FailureVerdict.of(failure);
    }

    /**
     * Whether the fetch pool and the emitter, which handle images already parsed, must fail the task rather than
     * dead-letter the image: any verdict but {@link FailureVerdict#RECORD}.
     */
    public static boolean isInfrastructureFailure(Throwable failure) {
        return classify(failure) != FailureVerdict.RECORD;
    }
}
