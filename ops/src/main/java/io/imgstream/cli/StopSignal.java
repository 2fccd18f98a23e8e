package io.imgstream.cli;

import io.imgstream.runtime.lifecycle.StreamsApplication;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM for a command that runs an application until stopped, held open until the application has
 * closed. The JVM halts once its shutdown hooks return, whatever its other threads are doing; a hook that only
 * woke the main thread would let the halt cut the application's close short: no commit of what was scored, no
 * leaving the group, an open transaction left for the broker to time out. This hook waits for {@link #close()},
 * which the command's try-with-resources calls after closing the application (declare the signal first), for at
 * most {@link #CLOSE_WAIT}.
 */
final class StopSignal implements AutoCloseable {

    /** Longest a stop waits for the application to close: Kafka Streams' close timeout and the rest. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(60);

    private static final Duration STOPPED_POLL = Duration.ofMillis(200);

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;

    /** @param threadName the shutdown hook thread's name */
    StopSignal(String threadName) {
        hook = new Thread(
                () -> {
                    requested.countDown();
                    try {
                        closed.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                threadName);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Blocks until Ctrl-C (or SIGTERM), until {@code duration} passed, or until {@code app} stopped on its own.
     *
     * @param duration how long to run; null for until stopped
     * @return whether {@code app} stopped on its own (it failed), rather than being asked to
     */
    boolean await(StreamsApplication app, Duration duration) throws InterruptedException {
        long started = System.nanoTime();
        // Polled, not told: Kafka Streams can also fail on its own, and hasStopped sees both.
        while (!requested.await(STOPPED_POLL.toMillis(), TimeUnit.MILLISECONDS)) {
            boolean failed = app.hasStopped();
            if (failed || duration != null && System.nanoTime() - started >= duration.toNanos()) {
                return failed;
            }
        }
        return false;
    }

    /** The application is closed: a stop in progress may let the JVM halt; otherwise the hook goes. */
    @Override
    public void close() {
        closed.countDown();
        if (requested.getCount() > 0) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // A signal arrived after the last check; the hook runs and returns at once, as closed is open.
            }
        }
    }
}
