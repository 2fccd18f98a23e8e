package io.imgstream.topology.deadletter;

import io.imgstream.images.fetch.FetchException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Decides, in one place, what a failure while handling one input record means, as Debezium's
 * {@code ErrorHandler} decides "retriable or permanent". Parse (deserializing the reference), fetch (the fetch
 * pool's workers) and score (the model's outcome for one image) all ask it.
 *
 * <ul>
 *   <li><strong>Infrastructure failure:</strong> an {@link IOException} or {@link TimeoutException} anywhere in
 *   the cause chain (a registry, disk or device that can't be reached), or an {@link Error}. It says nothing about
 *   the record: the caller fails the task, Kafka Streams restarts it from the last commit, and the record is
 *   processed again once the infrastructure is back.</li>
 *   <li><strong>Bad record:</strong> everything else, and every {@link FetchException} whatever its cause (the
 *   images module raises one only for reasons that lie in the reference or its bytes). Trying again would fail
 *   the same way forever, so the caller writes a dead letter and processing goes on.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class FailureClassifier {

    private FailureClassifier() {}

    /**
     * @param failure what went wrong while handling one record
     * @return true to fail the task and let Kafka Streams retry; false to dead-letter the record
     */
    public static boolean isInfrastructureFailure(Throwable failure) {
        if (failure instanceof FetchException) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof Error) {
                return true;
            }
        }
        return false;
    }
}
