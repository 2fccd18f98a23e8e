package io.imgstream.topology.batching;

import io.imgstream.schemas.FeatureVectorKeys;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.schemas.avro.LatencyBreakdown;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.deadletter.DeadLetters;
import io.imgstream.topology.deadletter.DeadLetters.Failure;
import io.imgstream.topology.fetch.DecodedImage;
import io.imgstream.images.fetch.FetchException;
import io.imgstream.topology.fetch.FetchOutcome;
import io.imgstream.topology.fetch.FetchPool;
import io.imgstream.topology.fetch.ImageTask;
import io.imgstream.topology.metrics.BatchCloseReason;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.topology.scoring.InferenceExecutor;
import io.imgstream.topology.scoring.LabelingPolicy;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.topology.scoring.PredictionBuilder;
import io.imgstream.topology.scoring.ScoredBatch;
import io.imgstream.topology.scoring.ScoredBatch.Failed;
import io.imgstream.topology.scoring.ScoredBatch.ImageScore;
import io.imgstream.topology.scoring.ScoredBatch.Scored;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
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
 * (keyed by input offset) and starts fetching it in the {@link FetchPool}. A batch closes when
 * {@code batch.size} images wait ({@link BatchCloseReason#FULL}, checked in {@code process}) or the oldest has
 * waited {@code batch.linger.ms} ({@link BatchCloseReason#LINGER}, checked by a wall-clock punctuator); both
 * call {@link #closeReadyBatches}. A closed batch goes to the {@link InferenceExecutor}'s thread while this
 * thread keeps consuming, so decoding batch N+1 overlaps the forward pass of batch N.
 *
 * <p><strong>Exactly once.</strong> Only the stream thread forwards and writes the store. When a batch's scores
 * are back, the next {@code process} or punctuation forwards its predictions (and shadow predictions, label
 * requests, bottleneck features and dead letters) and deletes its images from the store, all in the task's current transaction.
 * After a crash the store is restored to its last commit: every image without a committed prediction is still
 * in it, and {@link #init} queues it again. Nothing is lost and nothing is forwarded twice.
 *
 * <p><strong>Bounds.</strong> At most {@code batch.max.in.flight} batches per task are with the forward pass;
 * once {@link BatchingSettings#maxWaiting()} more images wait behind them, {@code process} waits (at most
 * {@code inference.timeout.ms}) for the oldest batch, which is the back-pressure that slows consumption to the
 * model's pace.
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

    /**
     * Where the batcher's outputs go: child node names.
     *
     * @param predictions   {@link Prediction}s of the primary model
     * @param shadow        {@link Prediction}s of the shadow model
     * @param labelRequests {@link io.imgstream.schemas.avro.LabelRequest}s for uncertain predictions
     * @param features      {@link FeatureVector}s, or null to write none
     * @param deadLetters   {@link io.imgstream.schemas.avro.DeadLetter}s
     */
    public record Outputs(String predictions, String shadow, String labelRequests, String features,
                          String deadLetters) {
    }

    /** An image in the store, with its fetch in progress or done. */
    private record Waiting(PendingImage image, CompletableFuture<FetchOutcome> fetch) {
    }

    /**
     * A batch with the forward pass; {@code images} and {@code fetchMs} are in the same order. The pixels are not
     * kept here: only the inference thread needs them, and only until its forward pass is done.
     */
    private record InFlight(List<PendingImage> images, double[] fetchMs, CompletableFuture<ScoredBatch> result) {
    }

    private final BatchingSettings settings;
    private final FetchPool fetchPool;
    private final InferenceExecutor inference;
    private final PredictionBuilder predictions;
    private final LabelingPolicy labeling;
    private final ScorerMetrics metrics;
    private final Outputs outputs;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private ProcessorContext<String, Object> context;
    private KeyValueStore<Long, PendingImage> store;

    public BatchingProcessor(BatchingSettings settings, FetchPool fetchPool, InferenceExecutor inference,
                             PredictionBuilder predictions, LabelingPolicy labeling, ScorerMetrics metrics,
                             Outputs outputs) {
        this.settings = settings;
        this.fetchPool = fetchPool;
        this.inference = inference;
        this.predictions = predictions;
        this.labeling = labeling;
        this.metrics = metrics;
        this.outputs = outputs;
    }

    /** The store this processor needs: persistent, changelogged, keyed by input offset. */
    public static StoreBuilder<KeyValueStore<Long, PendingImage>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE_NAME), Serdes.Long(),
                new PendingImageSerde());
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(STORE_NAME);
        requeueStoredImages();
        Duration interval = settings.linger().compareTo(MAX_PUNCTUATION_INTERVAL) < 0 && !settings.linger().isZero()
                ? settings.linger() : MAX_PUNCTUATION_INTERVAL;
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
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
            LOG.info("Task {}: {} image(s) were pending without a committed prediction; scoring them again",
                    context.taskId(), waiting.size());
        }
    }

    @Override
    public void process(Record<String, ImageTask> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow(
                () -> new IllegalStateException("the batcher must be fed from a source topic"));
        ImageTask task = record.value();
        PendingImage image = new PendingImage(task.ref(), task.rawValue(), source.topic(), source.partition(),
                source.offset(), record.timestamp(), context.currentSystemTimeMs());
        store.put(image.offset(), image);
        waiting.add(new Waiting(image, fetchPool.submit(task)));
        forwardFinishedBatches();
        closeReadyBatches(context.currentSystemTimeMs());
        while (waiting.size() >= settings.maxWaiting() && !inFlight.isEmpty()) {
            awaitOldestBatch();
            forwardFinishedBatches();
            closeReadyBatches(context.currentSystemTimeMs());
        }
    }

    private void punctuate(long now) {
        forwardFinishedBatches();
        closeReadyBatches(now);
    }

    private void closeReadyBatches(long now) {
        while (inFlight.size() < settings.maxInFlight() && !waiting.isEmpty()) {
            if (waiting.size() >= settings.batchSize()) {
                closeBatch(BatchCloseReason.FULL);
            } else if (now - waiting.peekFirst().image().enqueuedMs() >= settings.linger().toMillis()) {
                closeBatch(BatchCloseReason.LINGER);
            } else {
                return;
            }
        }
    }

    private void closeBatch(BatchCloseReason reason) {
        int size = Math.min(settings.batchSize(), waiting.size());
        List<PendingImage> images = new ArrayList<>(size);
        List<DecodedImage> decoded = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Waiting next = waiting.pollFirst();
            FetchOutcome outcome = awaitFetch(next);
            if (outcome instanceof FetchOutcome.Loaded loaded) {
                images.add(next.image());
                decoded.add(loaded.image());
                metrics.imageFetched((long) (loaded.image().fetchMs() * NANOS_PER_MILLI));
            } else {
                deadLetter(next.image(), ((FetchOutcome.Refused) outcome).failure());
            }
        }
        metrics.batchClosed(reason);
        if (images.isEmpty()) {
            return;
        }
        double[] fetchMs = decoded.stream().mapToDouble(DecodedImage::fetchMs).toArray();
        List<BufferedImage> pixels = decoded.stream().map(DecodedImage::image).toList();
        inFlight.add(new InFlight(images, fetchMs, inference.submit(batchId(images), pixels)));
    }

    private FetchOutcome awaitFetch(Waiting image) {
        try {
            return image.fetch().get(settings.fetchTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            image.fetch().cancel(true);
            return new FetchOutcome.Refused(new FetchException(DeadLetterStage.FETCH, DeadLetterReason.FETCH_TIMEOUT,
                    "image " + image.image().ref().getId() + ": not fetched and decoded within fetch.timeout.ms="
                            + settings.fetchTimeout().toMillis() + "; check the source is reachable, or raise the timeout"));
        } catch (ExecutionException e) {
            throw new StreamsException("fetching image " + image.image().ref().getId() + " failed unexpectedly",
                    e.getCause(), context.taskId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while fetching image " + image.image().ref().getId(), e,
                    context.taskId());
        }
    }

    private void awaitOldestBatch() {
        InFlight oldest = inFlight.peekFirst();
        try {
            oldest.result().get(settings.inferenceTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Failing the task is safe: its images are in the store and will be scored again after the restart.
            throw new StreamsException("a forward pass of " + oldest.images().size() + " images did not finish within "
                    + "inference.timeout.ms=" + settings.inferenceTimeout().toMillis(), e, context.taskId());
        } catch (ExecutionException e) {
            throw new StreamsException("the forward pass failed", e.getCause(), context.taskId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while waiting for a forward pass", e, context.taskId());
        }
    }

    private void forwardFinishedBatches() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().result().isDone()) {
            InFlight batch = inFlight.pollFirst();
            ScoredBatch scored;
            try {
                scored = batch.result().join();
            } catch (CompletionException | CancellationException e) {
                throw new StreamsException("the forward pass of " + batch.images().size() + " images failed",
                        e.getCause() == null ? e : e.getCause(), context.taskId());
            }
            forward(batch, scored);
        }
    }

    private void forward(InFlight batch, ScoredBatch scored) {
        long now = context.currentSystemTimeMs();
        Instant scoredTime = Instant.ofEpochMilli(now);
        double inferenceMs = scored.inferenceNanos() / NANOS_PER_MILLI;
        int size = batch.images().size();
        for (int i = 0; i < size; i++) {
            PendingImage image = batch.images().get(i);
            double queueMs = Math.max(0, scored.startedAtMs() - image.enqueuedMs());
            metrics.queueWaited(Duration.ofMillis((long) queueMs));
            LatencyBreakdown latency = new LatencyBreakdown(batch.fetchMs()[i], queueMs, inferenceMs);
            ImageScore score = scored.scores().get(i);
            if (score instanceof Scored result) {
                Prediction prediction = predictions.build(image.ref(), scored.model(), result.probabilities(),
                        scored.batchId(), scored.passSize(), latency, scoredTime);
                emit(image, outputs.predictions(), prediction);
                labeling.requestFor(prediction, scoredTime).ifPresent(request -> {
                    metrics.labelRequested();
                    emit(image, outputs.labelRequests(), request);
                });
                forwardFeatures(image, scored.featureLayout(), result.features(), scoredTime);
                metrics.imageScored(Duration.ofMillis(Math.max(0, now - image.enqueuedMs())));
            } else {
                deadLetter(image, scored.model(), (Failed) score);
            }
            forwardShadow(image, scored, i, latency, scoredTime);
            store.delete(image.offset());
        }
    }

    private void forwardFeatures(PendingImage image, ImageScorer.FeatureLayout layout, float[] values, Instant now) {
        if (outputs.features() == null || layout == null || values == null) {
            return;
        }
        List<Float> boxed = new ArrayList<>(values.length);
        for (float value : values) {
            boxed.add(value);
        }
        FeatureVector vector = FeatureVector.newBuilder()
                .setImageId(image.ref().getId())
                .setBaseModelId(layout.baseModelId())
                .setShape(layout.shape())
                .setValues(boxed)
                .setCreatedTime(now)
                .build();
        context.forward(new Record<>(FeatureVectorKeys.of(image.ref().getId(), layout.baseModelId()), vector,
                image.timestamp()), outputs.features());
    }

    private void forwardShadow(PendingImage image, ScoredBatch scored, int index, LatencyBreakdown latency,
                               Instant scoredTime) {
        if (scored.shadowModel() == null || scored.shadowScores().isEmpty()) {
            return;
        }
        ImageScore shadow = scored.shadowScores().get(index);
        if (shadow instanceof Scored result) {
            emit(image, outputs.shadow(), predictions.build(image.ref(), scored.shadowModel(), result.probabilities(),
                    scored.batchId(), scored.passSize(), latency, scoredTime));
        }
    }

    private void deadLetter(PendingImage image, FetchException failure) {
        Failure reason = Failure.of(failure.stage(), failure.reason(), failure.getMessage(),
                failure.getCause() == null ? failure : failure.getCause());
        emit(image, outputs.deadLetters(), DeadLetters.of(image.ref().getId(), image.ref().getUri(), image.rawValue(),
                image.source(), reason, Instant.ofEpochMilli(context.currentSystemTimeMs())));
        store.delete(image.offset());
    }

    private void deadLetter(PendingImage image, ModelIdentity model, Failed failed) {
        Failure reason = new Failure(DeadLetterStage.SCORE, DeadLetterReason.SCORING_FAILED,
                "image " + image.ref().getId() + ": " + failed.message(), failed.exceptionClass(), model.name(),
                model.version());
        emit(image, outputs.deadLetters(), DeadLetters.of(image.ref().getId(), image.ref().getUri(), image.rawValue(),
                image.source(), reason, Instant.ofEpochMilli(context.currentSystemTimeMs())));
    }

    private void emit(PendingImage image, String node, Object value) {
        context.forward(new Record<>(image.ref().getId(), value, image.timestamp()), node);
    }

    /** Names the partition and offset range, so an operator can find the batch's inputs. */
    private static String batchId(List<PendingImage> images) {
        PendingImage first = images.get(0);
        PendingImage last = images.get(images.size() - 1);
        return first.topic() + "-" + first.partition() + "@" + first.offset() + "-" + last.offset();
    }

    @Override
    public void close() {
        // Batches still with the forward pass are dropped, not awaited: their images stay in the store, so the
        // task's next owner scores them. Stores are closed by Kafka Streams.
        waiting.forEach(image -> image.fetch().cancel(true));
        waiting.clear();
        inFlight.clear();
    }
}
