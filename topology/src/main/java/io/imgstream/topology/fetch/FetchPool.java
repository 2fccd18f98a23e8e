package io.imgstream.topology.fetch;

import io.imgstream.images.ImageLoader;
import io.imgstream.images.decode.TargetSize;
import io.imgstream.images.fetch.FetchException;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.topology.deadletter.FailureClassifier;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Worker threads that fetch and decode images off the stream threads, so decoding batch N+1 overlaps the forward
 * pass of batch N.
 *
 * <p><strong>Never on the caller:</strong> {@link #submit} only queues; fetching and decoding happen on the
 * pool's threads alone, so a stream thread never spends a fetch's or a decode's time (nor its memory) itself.
 * The queue needs no bound of its own: each stream task's batcher holds at most
 * {@link io.imgstream.topology.batching.BatchingSettings#maxWaiting(int)} images, and waits for a forward pass
 * before it takes more.
 *
 * <p><strong>Memory:</strong> the decoded pixels of every image from the end of its decode until its holder
 * {@link #release}s them (the batcher, once the image's forward pass is over) count against
 * {@code maxHeldBytes}. While they reach it, no new fetch starts, unless a batch is waiting for that very image
 * ({@link Fetch#expedite}): that one starts on the next free thread, so the budget can delay a batch but never
 * stall it. Pixels held thus stay below the budget plus one image per thread and per waiting batch.
 *
 * <p><strong>Sources that fail:</strong> an image whose source fails in a way that may pass
 * ({@link FetchException#retriable()}) is fetched again after a backoff, within its {@link SourceRetries}; it waits
 * in the queue meanwhile, holding no thread. Once its attempts are spent it is refused with
 * {@code RETRIES_EXHAUSTED} and the last failure.
 *
 * <p>Thread-safe. {@link #close()} stops the workers and cancels the fetches still queued, which is safe because
 * their images stay in the batcher's store until they have a prediction.
 */
public final class FetchPool implements AutoCloseable {

    private final ImageLoader loader;
    private final long maxHeldBytes;
    private final SourceRetries retries;
    private final Supplier<Optional<TargetSize>> targetSize;
    private final List<Thread> workers = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a fetch is queued or expedited, bytes are released, or the pool closes. */
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Fetch> queue = new ArrayDeque<>();
    /** Guarded by {@link #lock}. */
    private long heldBytes;
    /** Guarded by {@link #lock}. */
    private boolean closed;

    /**
     * @param loader       fetches and decodes one image
     * @param threads      worker threads, at least 1
     * @param maxHeldBytes decoded bytes held before new fetches wait, at least 1
     * @param retries      how often an image whose source failed is fetched again
     * @param targetSize   the size images are decoded for, read for each image; empty for their full size
     */
    public FetchPool(
            ImageLoader loader,
            int threads,
            long maxHeldBytes,
            SourceRetries retries,
            Supplier<Optional<TargetSize>> targetSize) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.retries = Objects.requireNonNull(retries, "retries");
        this.targetSize = Objects.requireNonNull(targetSize, "targetSize");
        if (threads < 1 || maxHeldBytes < 1) {
            throw new IllegalArgumentException(
                    "threads and maxHeldBytes must be at least 1, got " + threads + " and " + maxHeldBytes);
        }
        this.maxHeldBytes = maxHeldBytes;
        for (int i = 1; i <= threads; i++) {
            Thread worker = new Thread(this::work, "imgstream-fetch-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    /**
     * One image's fetch: queued, running or done.
     *
     * <p>{@link #result()} completes with the outcome; it completes exceptionally only for a failure that
     * {@link FailureClassifier} lays at the infrastructure's door.
     */
    public final class Fetch {

        private final ImageTask task;
        private final CompletableFuture<FetchOutcome> result = new CompletableFuture<>();
        /** Guarded by {@link #lock}. */
        private boolean expedited;
        /** Guarded by {@link #lock}: whether it waits for {@link #dueNanos} before its next attempt. */
        private boolean backingOff;
        /** Guarded by {@link #lock}. */
        private long dueNanos;
        /** Attempts that failed with a retriable refusal; touched by one worker at a time. */
        private int failedAttempts;

        private Fetch(ImageTask task) {
            this.task = task;
        }

        /** Completes with the outcome of the fetch. */
        public CompletableFuture<FetchOutcome> result() {
            return result;
        }

        /** A batch is waiting for this image: start it on the next free thread, whatever the bytes held. */
        public void expedite() {
            lock.lock();
            try {
                expedited = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Guarded by {@link #lock}. */
        private boolean isDue(long now) {
            return !backingOff || now - dueNanos >= 0;
        }

        /** Gives the image up: it is not fetched if it has not started, and its pixels are released if held. */
        public void abandon() {
            lock.lock();
            try {
                queue.remove(this);
            } finally {
                lock.unlock();
            }
            if (!result.cancel(false)) {
                loaded(result).ifPresent(loaded -> release(loaded.bytes()));
            }
        }
    }

    /**
     * Queues {@code task} to be fetched and decoded on a worker thread; never runs it on the caller.
     *
     * @return the fetch, whose result completes when the image is loaded or refused
     */
    public Fetch submit(ImageTask task) {
        Fetch fetch = new Fetch(Objects.requireNonNull(task, "task"));
        lock.lock();
        try {
            if (closed) {
                fetch.result.cancel(false);
            } else {
                queue.addLast(fetch);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        return fetch;
    }

    /**
     * Hands back the pixels of a {@link FetchOutcome.Loaded} image its holder no longer needs.
     *
     * @param bytes the image's {@link FetchOutcome.Loaded#bytes()}
     */
    public void release(long bytes) {
        lock.lock();
        try {
            heldBytes -= bytes;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Decoded bytes held now, by images loaded and not yet released. */
    public long heldBytes() {
        lock.lock();
        try {
            return heldBytes;
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        while (true) {
            Fetch next;
            lock.lock();
            try {
                while ((next = nextToStart()) == null) {
                    if (closed) {
                        return;
                    }
                    long backoff = nanosToNextDue();
                    if (backoff > 0) {
                        changed.awaitNanos(backoff);
                    } else {
                        changed.await();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            run(next);
        }
    }

    /**
     * The next fetch that may start, taken off the queue: an expedited one first, else the oldest within budget;
     * either only once its backoff, if any, is over.
     */
    private Fetch nextToStart() {
        if (closed) {
            return null;
        }
        long now = System.nanoTime();
        Fetch oldestDue = null;
        for (Iterator<Fetch> queued = queue.iterator(); queued.hasNext(); ) {
            Fetch fetch = queued.next();
            if (!fetch.isDue(now)) {
                continue;
            }
            if (fetch.expedited) {
                queued.remove();
                return fetch;
            }
            if (oldestDue == null) {
                oldestDue = fetch;
            }
        }
        if (oldestDue != null && heldBytes < maxHeldBytes) {
            queue.remove(oldestDue);
            return oldestDue;
        }
        return null;
    }

    /** Nanoseconds until the first queued backoff ends; 0 when none is pending. Guarded by {@link #lock}. */
    private long nanosToNextDue() {
        long now = System.nanoTime();
        long soonest = Long.MAX_VALUE;
        for (Fetch fetch : queue) {
            if (fetch.backingOff && fetch.dueNanos - now > 0) {
                soonest = Math.min(soonest, fetch.dueNanos - now);
            }
        }
        return soonest == Long.MAX_VALUE ? 0 : soonest;
    }

    private void run(Fetch fetch) {
        if (fetch.result.isDone()) {
            return;
        }
        FetchOutcome outcome;
        try {
            outcome = load(fetch.task);
        } catch (Throwable e) {
            // Infrastructure failures and errors (out of memory) fail this fetch; the thread goes on with the next.
            fetch.result.completeExceptionally(e);
            return;
        }
        if (outcome instanceof FetchOutcome.Refused refused && refused.failure().retriable()) {
            fetch.failedAttempts++;
            if (fetch.failedAttempts < retries.maxAttempts()) {
                retryLater(fetch);
                return;
            }
            if (retries.maxAttempts() > 1) {
                outcome = new FetchOutcome.Refused(exhausted(fetch, refused.failure()));
            }
        }
        if (outcome instanceof FetchOutcome.Loaded loaded) {
            hold(loaded.bytes());
            if (!fetch.result.complete(outcome)) {
                // Abandoned while it ran: nobody will release it.
                release(loaded.bytes());
            }
        } else {
            fetch.result.complete(outcome);
        }
    }

    /** Queues {@code fetch} again, first in line once its backoff is over; unless it was given up meanwhile. */
    private void retryLater(Fetch fetch) {
        lock.lock();
        try {
            if (closed) {
                fetch.result.cancel(false);
                return;
            }
            if (fetch.result.isDone()) {
                return;
            }
            fetch.backingOff = true;
            fetch.dueNanos = System.nanoTime()
                    + retries.backoffAfter(fetch.failedAttempts).toNanos();
            queue.addFirst(fetch);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static FetchException exhausted(Fetch fetch, FetchException last) {
        return new FetchException(
                last.stage(),
                DeadLetterReason.RETRIES_EXHAUSTED,
                "image " + fetch.task.ref().getId() + ": its source failed " + fetch.failedAttempts
                        + " times (fetch.retry.attempts), the last with: " + last.getMessage()
                        + "; publish it again once the source is back",
                last.getCause() == null ? last : last.getCause());
    }

    private void hold(long bytes) {
        lock.lock();
        try {
            heldBytes += bytes;
        } finally {
            lock.unlock();
        }
    }

    private FetchOutcome load(ImageTask task) {
        try {
            Optional<TargetSize> target = targetSize.get();
            ImageLoader.LoadedImage loaded =
                    target.isPresent() ? loader.load(task.ref(), target.get()) : loader.load(task.ref());
            return new FetchOutcome.Loaded(loaded.image(), loaded.loadMs(), bytesOf(loaded.image()));
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

    /** The bytes of an image's pixel buffers. */
    static long bytesOf(BufferedImage image) {
        DataBuffer buffer = image.getRaster().getDataBuffer();
        return (long) buffer.getSize()
                * buffer.getNumBanks()
                * DataBuffer.getDataTypeSize(buffer.getDataType())
                / Byte.SIZE;
    }

    private static Optional<FetchOutcome.Loaded> loaded(CompletableFuture<FetchOutcome> done) {
        try {
            return done.getNow(null) instanceof FetchOutcome.Loaded loaded ? Optional.of(loaded) : Optional.empty();
        } catch (CancellationException | CompletionException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.forEach(fetch -> fetch.result.cancel(false));
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        workers.forEach(Thread::interrupt);
    }
}
