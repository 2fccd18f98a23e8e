package io.imgstream.topology.batching;

import io.imgstream.images.fetch.FetchException;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.topology.emit.BatchEmitter;
import io.imgstream.topology.fetch.FetchOutcome;
import io.imgstream.topology.fetch.FetchPool;
import io.imgstream.topology.fetch.ImageTask;
import io.imgstream.topology.metrics.BatchCloseReason;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.BatchImage;
import io.imgstream.topology.scoring.InferenceExecutor;
import io.imgstream.topology.scoring.PendingImage;
import io.imgstream.topology.scoring.ScoredBatch;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The micro-batcher: Triton's dynamic batching ("max batch size, max queue delay") inside Kafka's transactions.
 *
 * <p><strong>Flow.</strong> {@link #process} puts each image in the changelogged {@value #STORE_NAME} store
 * (keyed by input offset) and starts fetching it in the {@link FetchPool}. Two triggers call one {@code flush}:
 * {@code process}, for the batch size, and a wall-clock punctuator, for {@code batch.linger.ms}. A flush first
 * hands the batches whose forward pass is done to the {@link BatchEmitter}, then closes the batches that are
 * ready, full ({@link BatchCloseReason#FULL}) or with an oldest image that waited {@code batch.linger.ms}
 * ({@link BatchCloseReason#LINGER}), and hands them to the {@link InferenceExecutor}'s thread. This thread keeps
 * consuming meanwhile, so decoding batch N+1 overlaps the forward pass of batch N. The batch size is the installed
 * models' ({@link InferenceExecutor#batchSize()}), read at every flush: after a model swap, batches close at the
 * new version's size.
 *
 * <p><strong>Exactly once.</strong> Only the stream thread forwards and writes the store. When a batch's scores
 * are back, the next {@code process} or punctuation forwards its outputs and deletes its images from the store,
 * all in the task's current transaction. After a crash the store is restored to its last commit: every image
 * without a committed prediction is still in it, and {@link #init} queues it again. Nothing is lost and nothing
 * is forwarded twice.
 *
 * <p><strong>Bounds.</strong> At most {@code batch.max.in.flight} batches per task are with the forward pass;
 * once {@link BatchingSettings#maxWaiting(int)} more images wait behind them, {@code process} waits (at most
 * {@code inference.timeout.ms}) for the oldest batch, which is the back-pressure that slows consumption to the
 * model's pace. The stream thread never fetches or decodes: it queues fetches in the {@link FetchPool}, whose
 * byte budget holds back new fetches while decoded images wait; closing a batch expedites the images it waits
 * for, and the pixels of a batch are released when its forward pass ends.
 *
 * <p><strong>Failures.</strong> An image the fetcher or decoder refuses, or that is not decoded within
 * {@code fetch.timeout.ms}, becomes a dead letter when its batch closes. A forward pass that fails or outlasts
 * {@code inference.timeout.ms} fails the task: its images are still in the store, and are scored again after the
 * restart.
 *
 * <p>One instance per stream task; not thread-safe (Kafka Streams calls it from one thread).
 */
public final class BatchingProcessor implements Processor<String, ImageTask, String, Object> {

    /** Name of the store of images waiting for their prediction. */
    public static final String STORE_NAME = "pending-images";

    private static final Logger LOG = LoggerFactory.getLogger(BatchingProcessor.class);
    private static final double NANOS_PER_MILLI = 1e6;
    /** How often the punctuator looks for lingering batches and finished forward passes, at most. */
    private static final Duration MAX_PUNCTUATION_INTERVAL = Duration.ofMillis(5);

    /** An image in the store, with its fetch queued, in progress or done. */
    private record Waiting(PendingImage image, FetchPool.Fetch fetch) {}

    /** A batch with the forward pass; its pixels are with the inference thread only. */
    private record InFlight(int size, CompletableFuture<ScoredBatch> result) {}

    private final BatchingSettings settings;
    private final FetchPool fetchPool;
    private final InferenceExecutor inference;
    private final BatchEmitter emitter;
    private final ScorerMetrics metrics;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private ProcessorContext<String, Object> context;
    private KeyValueStore<Long, PendingImage> store;

    /**
     * @param settings  linger, in-flight bound and timeouts
     * @param fetchPool where images are fetched and decoded
     * @param inference where closed batches are scored
     * @param emitter   turns refused images and scored batches into output records
     * @param metrics   where fetches, closed batches and the stream thread's waits are counted
     */
    public BatchingProcessor(
            BatchingSettings settings,
            FetchPool fetchPool,
            InferenceExecutor inference,
            BatchEmitter emitter,
            ScorerMetrics metrics) {
        this.settings = settings;
        this.fetchPool = fetchPool;
        this.inference = inference;
        this.emitter = emitter;
        this.metrics = metrics;
    }

    /** The store this processor needs: persistent, changelogged, keyed by input offset. */
    public static StoreBuilder<KeyValueStore<Long, PendingImage>> storeBuilder() {
        return Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE_NAME), Serdes.Long(), new PendingImageSerde());
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(STORE_NAME);
        requeueStoredImages();
        Duration interval = settings.linger().compareTo(MAX_PUNCTUATION_INTERVAL) < 0
                        && !settings.linger().isZero()
                ? settings.linger()
                : MAX_PUNCTUATION_INTERVAL;
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::flush);
    }

    /** Images in the restored store had no committed prediction: fetch and score them again. */
    private void requeueStoredImages() {
        try (KeyValueIterator<Long, PendingImage> stored = store.all()) {
            while (stored.hasNext()) {
                PendingImage image = stored.next().value;
                waiting.add(new Waiting(image, fetchPool.submit(new ImageTask(image.ref(), image.rawValue()))));
            }
        }
        if (!waiting.isEmpty()) {
            LOG.info(
                    "Task {}: {} image(s) were pending without a committed prediction; scoring them again",
                    context.taskId(),
                    waiting.size());
        }
    }

    @Override
    public void process(Record<String, ImageTask> record) {
        RecordMetadata source = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("the batcher must be fed from a source topic"));
        ImageTask task = record.value();
        PendingImage image = new PendingImage(
                task.ref(),
                task.rawValue(),
                source.topic(),
                source.partition(),
                source.offset(),
                record.timestamp(),
                context.currentSystemTimeMs());
        store.put(image.offset(), image);
        waiting.add(new Waiting(image, fetchPool.submit(task)));
        flush(context.currentSystemTimeMs());
        while (waiting.size() >= settings.maxWaiting(inference.batchSize()) && !inFlight.isEmpty()) {
            awaitOldestBatch();
            flush(context.currentSystemTimeMs());
        }
    }

    /** Both triggers' work: emit what the forward pass finished, then close and hand over what is ready. */
    private void flush(long now) {
        emitFinishedBatches();
        while (inFlight.size() < settings.maxInFlight() && !waiting.isEmpty()) {
            int batchSize = inference.batchSize();
            if (waiting.size() >= batchSize) {
                closeBatch(batchSize, BatchCloseReason.FULL);
            } else if (now - waiting.peekFirst().image().enqueuedMs()
                    >= settings.linger().toMillis()) {
                closeBatch(batchSize, BatchCloseReason.LINGER);
            } else {
                return;
            }
        }
    }

    private void emitFinishedBatches() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().result().isDone()) {
            InFlight batch = inFlight.pollFirst();
            ScoredBatch scored;
            try {
                scored = batch.result().join();
            } catch (CompletionException | CancellationException e) {
                throw new StreamsException(
                        "the forward pass of " + batch.size() + " images failed",
                        e.getCause() == null ? e : e.getCause(),
                        context.taskId());
            }
            emitter.emitScored(context, scored);
            scored.images().forEach(image -> store.delete(image.pending().offset()));
        }
    }

    /**
     * Takes the oldest waiting images, at most {@code batchSize}; those that decoded go to the forward pass, the
     * refused to dead letters.
     */
    private void closeBatch(int batchSize, BatchCloseReason reason) {
        int size = Math.min(batchSize, waiting.size());
        List<BatchImage> batch = new ArrayList<>(size);
        long pixelBytes = 0;
        for (int i = 0; i < size; i++) {
            Waiting next = waiting.pollFirst();
            FetchOutcome outcome = awaitFetch(next);
            if (outcome instanceof FetchOutcome.Loaded loaded) {
                batch.add(new BatchImage(next.image(), loaded.pixels(), loaded.fetchMs()));
                pixelBytes += loaded.bytes();
                metrics.imageFetched((long) (loaded.fetchMs() * NANOS_PER_MILLI));
            } else {
                emitter.emitRefused(context, next.image(), ((FetchOutcome.Refused) outcome).failure());
                store.delete(next.image().offset());
            }
        }
        metrics.batchClosed(reason);
        if (!batch.isEmpty()) {
            CompletableFuture<ScoredBatch> result = inference.submit(batchId(batch), batch);
            // The forward pass drops the pixels when it ends, whether it worked or not; so does a task closed
            // meanwhile.
            long held = pixelBytes;
            result.whenComplete((scored, failure) -> fetchPool.release(held));
            inFlight.add(new InFlight(batch.size(), result));
        }
    }

    private FetchOutcome awaitFetch(Waiting image) {
        String id = image.image().ref().getId();
        image.fetch().expedite();
        long started = System.nanoTime();
        try {
            return image.fetch().result().get(settings.fetchTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            image.fetch().abandon();
            return new FetchOutcome.Refused(new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.FETCH_TIMEOUT,
                    "image " + id + ": not fetched and decoded within fetch.timeout.ms="
                            + settings.fetchTimeout().toMillis() + "; check the source is reachable, or raise the "
                            + "timeout"));
        } catch (ExecutionException e) {
            // The fetch pool completes exceptionally only for infrastructure failures.
            throw new StreamsException("fetching image " + id + " failed", e.getCause(), context.taskId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while fetching image " + id, e, context.taskId());
        } finally {
            metrics.streamWaitedForFetch(System.nanoTime() - started);
        }
    }

    private void awaitOldestBatch() {
        InFlight oldest = inFlight.peekFirst();
        long started = System.nanoTime();
        try {
            oldest.result().get(settings.inferenceTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Failing the task is safe: its images are in the store and will be scored again after the restart.
            throw new StreamsException(
                    "a forward pass of " + oldest.size() + " images did not finish within inference.timeout.ms="
                            + settings.inferenceTimeout().toMillis(),
                    e,
                    context.taskId());
        } catch (ExecutionException e) {
            throw new StreamsException("the forward pass failed", e.getCause(), context.taskId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while waiting for a forward pass", e, context.taskId());
        } finally {
            metrics.streamWaitedForInference(System.nanoTime() - started);
        }
    }

    /** Names the partition and offset range, so an operator can find the batch's inputs. */
    private static String batchId(List<BatchImage> batch) {
        PendingImage first = batch.get(0).pending();
        PendingImage last = batch.get(batch.size() - 1).pending();
        return first.topic() + "-" + first.partition() + "@" + first.offset() + "-" + last.offset();
    }

    @Override
    public void close() {
        // Batches still with the forward pass are dropped, not awaited: their images stay in the store, so the
        // task's next owner scores them. Stores are closed by Kafka Streams.
        waiting.forEach(image -> image.fetch().abandon());
        waiting.clear();
        inFlight.clear();
    }
}
