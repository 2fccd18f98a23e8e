package io.imgstream.topology.fetch;

import io.imgstream.images.ImageLoader;
import io.imgstream.images.fetch.FetchException;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.topology.deadletter.FailureClassifier;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of worker threads that fetch and decode images off the stream thread, so decoding batch
 * N+1 overlaps the forward pass of batch N.
 *
 * <p><strong>Bounds:</strong> {@code threads} workers and a queue of {@code queueCapacity} waiting tasks.
 * When both are full, the submitting thread runs the task itself: the stream thread then slows down to the
 * pool's pace (real back-pressure) and is never blocked for longer than one fetch, which the fetcher's own
 * size caps bound.
 *
 * <p>Thread-safe. {@link #close()} stops the workers; tasks still queued are abandoned, which is safe because
 * their images stay in the batcher's store until they have a prediction.
 */
public final class FetchPool implements AutoCloseable {

    private static final long KEEP_ALIVE_SECONDS = 30;

    private final ImageLoader loader;
    private final ThreadPoolExecutor executor;

    /**
     * @param loader        fetches and decodes one image
     * @param threads       worker threads, at least 1
     * @param queueCapacity tasks that may wait for a worker, at least 1
     */
    public FetchPool(ImageLoader loader, int threads, int queueCapacity) {
        this.loader = Objects.requireNonNull(loader, "loader");
        if (threads < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException(
                    "threads and queueCapacity must be at least 1, got " + threads + " and " + queueCapacity);
        }
        this.executor = new ThreadPoolExecutor(
                threads,
                threads,
                KEEP_ALIVE_SECONDS,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                daemonThreads(),
                new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /**
     * Starts fetching and decoding {@code task}.
     *
     * @return completes with the outcome; completes exceptionally only for a failure that
     *         {@link FailureClassifier} lays at the infrastructure's door
     */
    public CompletableFuture<FetchOutcome> submit(ImageTask task) {
        return CompletableFuture.supplyAsync(() -> load(task), executor);
    }

    private FetchOutcome load(ImageTask task) {
        try {
            ImageLoader.LoadedImage loaded = loader.load(task.ref());
            return new FetchOutcome.Loaded(loaded.image(), loaded.loadMs());
        } catch (FetchException e) {
            return new FetchOutcome.Refused(e);
        } catch (RuntimeException e) {
            if (FailureClassifier.isInfrastructureFailure(e)) {
                throw e;
            }
            return new FetchOutcome.Refused(new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.FETCH_FAILED,
                    "image " + task.ref().getId() + ": fetching and decoding it failed unexpectedly (" + e
                            + "); check the reference, and report it if the image is valid",
                    e));
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "imgstream-fetch-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
