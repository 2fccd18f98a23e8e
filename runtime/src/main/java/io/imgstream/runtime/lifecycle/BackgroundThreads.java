package io.imgstream.runtime.lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an application's own long-running threads, those beside Kafka Streams' (the scorer's inference thread and
 * control-topic watcher, say), so that none dies silently. Each thread's loop handles the failures that concern one
 * item itself and goes on; a {@link Throwable} that still escapes the loop is the application's end: it is logged
 * at ERROR with its stack trace, counted, kept as the application's {@link #failure() failure} (which readiness
 * reports) and handed to the {@link #onFailure listeners}, which stop the application.
 *
 * <p>Thread-safe.
 */
public final class BackgroundThreads {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundThreads.class);

    /**
     * A background thread that stopped for good.
     *
     * @param thread the thread's name
     * @param cause  what escaped its loop
     */
    public record Failure(String thread, Throwable cause) {

        /** One sentence for readiness and the command line: which thread died of what. */
        public String reason() {
            return "background thread '" + thread + "' died of " + cause;
        }
    }

    private final Runnable countFailure;
    private final List<Consumer<Failure>> listeners = new ArrayList<>();
    private Failure failure;
    private boolean notified;

    /** @param countFailure counts one failed thread in the application's metrics */
    public BackgroundThreads(Runnable countFailure) {
        this.countFailure = Objects.requireNonNull(countFailure, "countFailure");
    }

    /**
     * Whether {@code thrown} means a thread must not go on with its next item: the JVM is in trouble (out of memory,
     * stack overflow) or code can't be loaded or linked, which would fail every item the same way. Anything else
     * thrown while handling one item concerns that item.
     */
    public static boolean isFatal(Throwable thrown) {
        return thrown instanceof VirtualMachineError || thrown instanceof LinkageError;
    }

    /**
     * Starts {@code loop} on a daemon thread. The loop returns only when asked to stop; whatever it throws ends the
     * application as this class describes.
     */
    public Thread start(String name, Runnable loop) {
        Objects.requireNonNull(loop, "loop");
        Thread thread = new Thread(
                () -> {
                    try {
                        loop.run();
                    } catch (Throwable escaped) {
                        failed(name, escaped);
                    }
                },
                name);
        // The last line: reached only if reporting the failure failed in turn (out of memory while logging, say).
        thread.setUncaughtExceptionHandler((t, e) -> failed(t.getName(), e));
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** The first background thread that died, if one did. */
    public synchronized Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Calls {@code listener} once, with the first failure, on the failing thread; at once if a thread has already
     * failed. A listener must return quickly: stopping the application belongs on a thread of its own.
     */
    public void onFailure(Consumer<Failure> listener) {
        Objects.requireNonNull(listener, "listener");
        Failure already;
        synchronized (this) {
            listeners.add(listener);
            already = notified ? failure : null;
        }
        if (already != null) {
            listener.accept(already);
        }
    }

    private void failed(String thread, Throwable cause) {
        Failure first;
        synchronized (this) {
            if (failure == null) {
                failure = new Failure(thread, cause);
            }
            first = failure;
        }
        countFailure.run();
        LOG.error("Background thread '{}' died; the application stops. Cause: {}", thread, cause.toString(), cause);
        List<Consumer<Failure>> toNotify;
        synchronized (this) {
            if (notified) {
                return;
            }
            notified = true;
            toNotify = List.copyOf(listeners);
        }
        toNotify.forEach(listener -> listener.accept(first));
    }
}
