package io.imgstream.schemas;

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
import org.apache.avro.InvalidNumberEncodingException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * What a failure while reading or handling one record says about that record, decided the same way by every
 * imgstream application (the scorer's {@code FailureClassifier} adds the images module's verdicts on top):
 *
 * <ul>
 *   <li>{@link #INFRASTRUCTURE}: something could not be reached: a socket error, an unknown host, a timeout, or
 *   one of Kafka's retriable errors anywhere in the cause chain (the registry or the broker away). It says nothing
 *   about the record, which must be processed again once the infrastructure is back, however long that takes.</li>
 *   <li>{@link #RECORD}: the record is at fault: bytes that end early or are not the encoding they claim
 *   ({@link EOFException}, {@link UTFDataFormatException}, character coding errors, Avro's
 *   {@link InvalidNumberEncodingException} for a varint that never ends: a record cut short or garbled must never
 *   pass for an outage), and anything else not listed here. Trying again would fail the same way.</li>
 *   <li>{@link #UNCERTAIN}: any other {@link IOException}, or an {@link Error} (memory, say): it may pass or may be
 *   the record's doing; retry it within a bounded budget.</li>
 * </ul>
 */
public enum FailureVerdict {
    /** Something the record needs could not be reached; try again later, never skip the record. */
    INFRASTRUCTURE,
    /** The record is at fault; dead-letter or skip it, with its reason. */
    RECORD,
    /** Either; try again within the record's retry budget. */
    UNCERTAIN;

    /** What {@code failure}, raised while reading or handling one record, says about it. */
    public static FailureVerdict of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (isDataError(t)) {
                return RECORD;
            }
            if (isUnreachable(t)) {
                return INFRASTRUCTURE;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof Error) {
                return UNCERTAIN;
            }
        }
        return RECORD;
    }

    private static boolean isDataError(Throwable t) {
        return t instanceof EOFException
                || t instanceof UTFDataFormatException
                || t instanceof CharConversionException
                || t instanceof CharacterCodingException
                || t instanceof InvalidNumberEncodingException;
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
