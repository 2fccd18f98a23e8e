package io.imgstream.schemas;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How often each input record has failed so far, so that nothing loops forever: a record whose handling keeps
 * failing with an {@link FailureVerdict#UNCERTAIN uncertain} error is tried {@link #maxAttempts()} times, with a
 * growing pause before each retry, then given up: the scorer dead-letters it ({@code RETRIES_EXHAUSTED}), the
 * {@link VerdictDeserializationHandler} skips it, logged and counted. An
 * {@link FailureVerdict#INFRASTRUCTURE infrastructure} failure is counted too, for the pause only: it is retried
 * for as long as it lasts.
 *
 * <p>Counts live in this process only and outlive the stream tasks that fail: Kafka Streams replaces a failed
 * thread and hands the record to the replacement, which asks the same instance. At most {@value #TRACKED}
 * records are tracked, the least recently failed forgotten first.
 *
 * <p>Thread-safe: the stream threads of one application share an instance.
 */
public final class RecordRetries {

    /** Attempts of a record before it is given up, its first one included. */
    public static final int DEFAULT_MAX_ATTEMPTS = 4;

    /** The pause before the first retry; it doubles with each further one, up to {@link #MAX_PAUSE}. */
    public static final Duration DEFAULT_FIRST_PAUSE = Duration.ofMillis(200);

    private static final int TRACKED = 10_000;
    private static final Duration MAX_PAUSE = Duration.ofSeconds(5);

    private final int maxAttempts;
    private final Duration firstPause;
    /** Whether anything is tracked: lets the hot path of a healthy stream skip the lock. */
    private volatile boolean tracking;

    private final Map<String, Integer> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > TRACKED;
        }
    };

    /**
     * @param maxAttempts attempts of a record before it is given up, at least 1
     * @param firstPause  the pause before the first retry (zero in tests)
     */
    public RecordRetries(int maxAttempts, Duration firstPause) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.firstPause = firstPause;
    }

    /** Retries with the defaults: {@value #DEFAULT_MAX_ATTEMPTS} attempts, a first pause of 200 ms. */
    public static RecordRetries defaults() {
        return new RecordRetries(DEFAULT_MAX_ATTEMPTS, DEFAULT_FIRST_PAUSE);
    }

    /** Attempts of a record before it is given up, its first one included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Records one more failed attempt of the record at {@code position} (topic, partition and offset).
     *
     * @return the attempts that have failed so far, this one included
     */
    public synchronized int failed(String position) {
        tracking = true;
        return failures.merge(position, 1, Integer::sum);
    }

    /** Forgets the record at {@code position}: it got its outcome. */
    public void settled(String position) {
        if (!tracking) {
            return;
        }
        synchronized (this) {
            failures.remove(position);
            tracking = !failures.isEmpty();
        }
    }

    /**
     * Waits before the next attempt after {@code failedAttempts} failures: the first pause, doubling with each
     * failure, at most 5 s. Called on the stream thread, whose poll interval is far longer.
     */
    public void pauseAfter(int failedAttempts) {
        int doublings = Math.min(Math.max(failedAttempts - 1, 0), 5);
        Duration pause = firstPause.multipliedBy(1L << doublings);
        try {
            Thread.sleep((pause.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
