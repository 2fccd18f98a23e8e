package io.imgstream.topology.fetch;

import java.time.Duration;
import java.util.Objects;

/**
 * How the fetch pool treats an image source that fails in a way that may pass ({@link
 * io.imgstream.images.fetch.FetchException#retriable()}: an HTTP 5xx, a refused connection, a timeout, an I/O error
 * reading a file): the image is fetched again after a backoff, doubling from {@code firstBackoff} up to
 * {@value #MAX_BACKOFF_MS} ms, until {@code maxAttempts} attempts failed; then it is dead-lettered with
 * {@code RETRIES_EXHAUSTED} and the last failure. Every attempt counts against {@code fetch.timeout.ms}, the bound of a
 * batch's wait for the image.
 *
 * @param maxAttempts  attempts of one image, its first included; 1 dead-letters at the first failure
 * @param firstBackoff the wait before the first retry
 */
public record SourceRetries(int maxAttempts, Duration firstBackoff) {

    /** The longest wait between two attempts, in milliseconds. */
    public static final long MAX_BACKOFF_MS = 5_000;

    public SourceRetries {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        Objects.requireNonNull(firstBackoff, "firstBackoff");
        if (firstBackoff.isNegative()) {
            throw new IllegalArgumentException("firstBackoff must not be negative, got " + firstBackoff);
        }
    }

    /** No retry: the first failure is final. */
    public static SourceRetries none() {
        return new SourceRetries(1, Duration.ZERO);
    }

    /** The wait before the attempt that follows {@code failedAttempts} failed ones. */
    public Duration backoffAfter(int failedAttempts) {
        long millis = Math.min(firstBackoff.toMillis(), MAX_BACKOFF_MS);
        for (int doubled = 1; doubled < failedAttempts && millis < MAX_BACKOFF_MS; doubled++) {
            millis = Math.min(millis * 2, MAX_BACKOFF_MS);
        }
        return Duration.ofMillis(millis);
    }
}
