package io.imgstream.topology.deadletter;

import io.imgstream.images.fetch.FetchException;
import java.io.CharConversionException;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.CharacterCodingException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Decides, in one place, what a failure while handling one input record means, as Debezium's
 * {@code ErrorHandler} decides "retriable or permanent". Parse (deserializing the reference), fetch (the fetch
 * pool's workers) and score (the model's outcome for one image) all ask it.
 *
 * <ul>
 *   <li><strong>{@link Verdict#INFRASTRUCTURE}:</strong> something could not be reached: a socket error,
 *   an unknown host, a timeout, or one of Kafka's retriable errors anywhere in the cause chain (the registry or
 *   the broker away). It says nothing about the record, which is processed again once the infrastructure is
 *   back, however long that takes.</li>
 *   <li><strong>{@link Verdict#RECORD}:</strong> the record is at fault: every {@link FetchException} (the
 *   images module raises one only for reasons that lie in the reference or its bytes), bytes that end early or
 *   are not the encoding they claim ({@link EOFException}, {@link UTFDataFormatException}, character coding
 *   errors: a record cut short must never pass for an outage), and anything else not listed here. Trying again
 *   would fail the same way, so the caller writes a dead letter.</li>
 *   <li><strong>{@link Verdict#UNCERTAIN}:</strong> any other {@link IOException}, or an {@link Error}
 *   (memory, say): it may pass or may be the record's doing. The caller retries it within a per-record budget
 *   ({@link RecordRetries}) and dead-letters the record when the budget is spent.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class FailureClassifier {

    /** What a failure says about the record being handled. */
    public enum Verdict {
        /** Something the record needs could not be reached; try again later, never skip the record. */
        INFRASTRUCTURE,
        /** The record is at fault; dead-letter it. */
        RECORD,
        /** Either; try again within the record's retry budget. */
        UNCERTAIN
    }

    private FailureClassifier() {}

    /** What {@code failure}, raised while handling one record, says about it. */
    public static Verdict classify(Throwable failure) {
        if (failure instanceof FetchException) {
            return Verdict.RECORD;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (isDataError(t)) {
                return Verdict.RECORD;
            }
            if (isUnreachable(t)) {
                return Verdict.INFRASTRUCTURE;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof Error) {
                return Verdict.UNCERTAIN;
            }
        }
        return Verdict.RECORD;
    }

    /**
     * Whether the fetch pool and the emitter, which handle images already parsed, must fail the task rather than
     * dead-letter the image: any verdict but {@link Verdict#RECORD}.
     */
    public static boolean isInfrastructureFailure(Throwable failure) {
        return classify(failure) != Verdict.RECORD;
    }

    private static boolean isDataError(Throwable t) {
        return t instanceof EOFException
                || t instanceof UTFDataFormatException
                || t instanceof CharConversionException
                || t instanceof CharacterCodingException;
    }

    private static boolean isUnreachable(Throwable t) {
        return t instanceof SocketException
                || t instanceof SocketTimeoutException
                || t instanceof UnknownHostException
                || t instanceof HttpTimeoutException
                || t instanceof TimeoutException
                || t instanceof RetriableException;
    }
}
