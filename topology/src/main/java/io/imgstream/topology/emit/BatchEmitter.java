package io.imgstream.topology.emit;

import io.imgstream.images.fetch.FetchException;
import io.imgstream.model.inference.ImageScorer.FeatureLayout;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.schemas.FailureVerdict;
import io.imgstream.schemas.FeatureVectorKeys;
import io.imgstream.schemas.RecordRetries;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.schemas.avro.LatencyBreakdown;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.schemas.avro.PredictionArm;
import io.imgstream.topology.deadletter.DeadLetters;
import io.imgstream.topology.deadletter.FailureClassifier;
import io.imgstream.topology.drift.DriftMonitor;
import io.imgstream.topology.drift.DriftShift;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.LabelingPolicy;
import io.imgstream.topology.scoring.PendingImage;
import io.imgstream.topology.scoring.PredictionBuilder;
import io.imgstream.topology.scoring.ScoredBatch;
import io.imgstream.topology.scoring.ScoredImage;
import io.imgstream.topology.scoring.ScoredImage.Failed;
import io.imgstream.topology.scoring.ScoredImage.Scored;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the batcher's results into output records, forwarded to the batch node's children ({@link Outputs}):
 * <ul>
 *   <li>an image the primary model scored: its {@link Prediction} (arm CURRENT), a label request when the
 *   {@link LabelingPolicy} finds the prediction uncertain, and its {@link FeatureVector} when the model has a
 *   bottleneck and features are written;</li>
 *   <li>an image of a canary's share that the canary scored: the canary's {@link Prediction} instead (arm CANARY),
 *   with the same label request and features, and whether it agrees with the primary model's class in the metrics;
 *   when the canary fails on the image, it is counted and logged (one line per batch) and the image gets the
 *   primary's outcome, as if there were no canary;</li>
 *   <li>an image the shadow model scored: its shadow {@link Prediction} (arm SHADOW), and whether it agrees with
 *   the primary model's class in the metrics; a shadow model's failures are not the image's fault and produce no
 *   record, but are counted and logged (one line per batch);</li>
 *   <li>an image the primary model failed on (and no canary scored), or the fetcher or decoder refused: its dead
 *   letter.</li>
 * </ul>
 * Every output is keyed by the image id and carries its input record's timestamp.
 *
 * <p><strong>Failures.</strong> When {@link FailureClassifier} lays a model failure at the infrastructure's door,
 * {@link #emitScored} forwards nothing and throws: the task fails, and the batch is scored again after the restart.
 * An uncertain one (an {@link Error} inside the model, an I/O error) does the same within the image's
 * {@link RecordRetries} budget, after a pause; once the budget is spent the image becomes a
 * {@code RETRIES_EXHAUSTED} dead letter, so that an image the model always fails on can't stall its partition.
 *
 * <p>It only forwards: the caller, on the stream thread, owns the store of pending images and deletes them in the
 * same call, so outputs and deletions commit in one transaction. Stateless and thread-safe; one instance may
 * serve every task, each call forwarding through the context it is given.
 */
public final class BatchEmitter {

    private static final Logger LOG = LoggerFactory.getLogger(BatchEmitter.class);

    private static final double NANOS_PER_MILLI = 1e6;

    /**
     * Where the outputs go: child node names.
     *
     * @param predictions   {@link Prediction}s of the primary model
     * @param shadow        {@link Prediction}s of the shadow model
     * @param labelRequests {@link io.imgstream.schemas.avro.LabelRequest}s for uncertain predictions
     * @param features      {@link FeatureVector}s, or null to write none
     * @param deadLetters   {@link io.imgstream.schemas.avro.DeadLetter}s
     */
    public record Outputs(
            String predictions, String shadow, String labelRequests, String features, String deadLetters) {}

    private final PredictionBuilder predictions;
    private final LabelingPolicy labeling;
    private final DriftMonitor drift;
    private final ScorerMetrics metrics;
    private final RecordRetries retries;
    private final Outputs outputs;

    /**
     * @param predictions builds prediction records from probabilities
     * @param labeling    decides which predictions get a label request
     * @param drift       compares the primary model's recent predictions with its holdout's; while it drifts, a
     *                    share of confident predictions get a label request too
     * @param metrics     where scored images, queue waits and label requests are counted
     * @param retries     the application's per-record retry budget, shared by its tasks
     * @param outputs     the child nodes to forward to
     */
    public BatchEmitter(
            PredictionBuilder predictions,
            LabelingPolicy labeling,
            DriftMonitor drift,
            ScorerMetrics metrics,
            RecordRetries retries,
            Outputs outputs) {
        this.predictions = Objects.requireNonNull(predictions, "predictions");
        this.labeling = Objects.requireNonNull(labeling, "labeling");
        this.drift = Objects.requireNonNull(drift, "drift");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.retries = Objects.requireNonNull(retries, "retries");
        this.outputs = Objects.requireNonNull(outputs, "outputs");
    }

    /**
     * Forwards every output of a batch back from the forward pass.
     *
     * @throws StreamsException if the primary model failed on an image for a reason outside the image, or one that
     *                          may be, within the image's retry budget
     */
    public void emitScored(ProcessorContext<String, Object> context, ScoredBatch batch) {
        Map<String, Integer> exhausted = requireNothingToRetry(context, batch);
        long now = context.currentSystemTimeMs();
        Instant scoredTime = Instant.ofEpochMilli(now);
        SideModelFailures shadowFailures = new SideModelFailures("Shadow model", batch.shadowModel());
        SideModelFailures canaryFailures = new SideModelFailures("Canary model", batch.canaryModel());
        for (ScoredImage image : batch.images()) {
            PendingImage pending = image.pending();
            LatencyBreakdown latency = latency(batch, image);
            retries.settled(position(pending));
            Prediction current = image.score() instanceof Scored scored
                    ? build(batch, batch.model(), pending, scored, latency, scoredTime, PredictionArm.CURRENT)
                    : null;
            Prediction canary = image.canaryScore() instanceof Scored scored
                    ? build(batch, batch.canaryModel(), pending, scored, latency, scoredTime, PredictionArm.CANARY)
                    : null;
            if (image.canaryScore() instanceof Failed failed) {
                // The image still gets an outcome: the primary's prediction (arm CURRENT), or its dead letter.
                canaryFailures.add(failed.cause());
            }
            Prediction outcome = canary != null ? canary : current;
            if (outcome != null) {
                float[] features = image.score() instanceof Scored scored ? scored.features() : null;
                emitPrediction(context, batch, pending, outcome, features, scoredTime);
                metrics.imageScored(Duration.ofMillis(Math.max(0, now - pending.enqueuedMs())));
                if (canary != null && current != null) {
                    metrics.canaryCompared(topClass(current), topClass(canary));
                }
            } else {
                Throwable cause = ((Failed) image.score()).cause();
                Integer attempts = exhausted.get(position(pending));
                forward(
                        context,
                        pending,
                        outputs.deadLetters(),
                        attempts == null
                                ? DeadLetters.unscorable(deadLetterInput(pending), batch.model(), cause, scoredTime)
                                : DeadLetters.retriesExhausted(
                                        deadLetterInput(pending), DeadLetterStage.SCORE, attempts, cause, scoredTime));
            }
            if (image.shadowScore() instanceof Scored shadow) {
                Prediction shadowPrediction =
                        build(batch, batch.shadowModel(), pending, shadow, latency, scoredTime, PredictionArm.SHADOW);
                forward(context, pending, outputs.shadow(), shadowPrediction);
                metrics.predicted(PredictionArm.SHADOW);
                if (current != null) {
                    metrics.shadowCompared(topClass(current), topClass(shadowPrediction));
                }
            } else if (image.shadowScore() instanceof Failed failed) {
                shadowFailures.add(failed.cause());
            }
        }
        // Not the images' fault: each got its outcome. Counted, and one line per batch.
        shadowFailures.report(batch, "their primary predictions went out", metrics::shadowFailed);
        canaryFailures.report(
                batch, "they got the current model's outcome (arm CURRENT) instead", metrics::canaryFailed);
    }

    /** Failures of a shadow or canary model on a batch's images: counted, and logged once per batch. */
    private static final class SideModelFailures {

        private final String role;
        private final ModelIdentity model;
        private int count;
        private Throwable first;

        SideModelFailures(String role, ModelIdentity model) {
            this.role = role;
            this.model = model;
        }

        void add(Throwable cause) {
            count++;
            first = first == null ? cause : first;
        }

        /** Counts the failures, if any, and logs them, saying what became of their images. */
        void report(ScoredBatch batch, String outcome, IntConsumer meter) {
            if (count == 0) {
                return;
            }
            meter.accept(count);
            LOG.warn(
                    "{} {} v{} failed on {} of {} images of batch {}; {}. The first failure:",
                    role,
                    model.name(),
                    model.version(),
                    count,
                    batch.images().size(),
                    batch.batchId(),
                    outcome,
                    first);
        }
    }

    private Prediction build(
            ScoredBatch batch,
            ModelIdentity model,
            PendingImage image,
            Scored scored,
            LatencyBreakdown latency,
            Instant scoredTime,
            PredictionArm arm) {
        return predictions.build(
                image.ref(),
                model,
                scored.probabilities(),
                batch.batchId(),
                batch.passSize(),
                latency,
                scoredTime,
                arm);
    }

    private static String topClass(Prediction prediction) {
        return prediction.getTopK().get(0).getLabel().toString();
    }

    /** Forwards the dead letter of an image the fetcher or decoder refused. */
    public void emitRefused(ProcessorContext<String, Object> context, PendingImage image, FetchException refusal) {
        forward(
                context,
                image,
                outputs.deadLetters(),
                DeadLetters.refused(
                        deadLetterInput(image), refusal, Instant.ofEpochMilli(context.currentSystemTimeMs())));
    }

    /**
     * Checked before anything is forwarded, so a batch is emitted whole or not at all.
     *
     * @return the images whose retry budget is spent, by {@link #position}, with their attempts
     * @throws StreamsException if the batch must be scored again
     */
    private Map<String, Integer> requireNothingToRetry(ProcessorContext<String, Object> context, ScoredBatch batch) {
        for (ScoredImage image : batch.images()) {
            if (image.outcome() instanceof Failed failed
                    && FailureClassifier.classify(failed.cause()) == FailureVerdict.INFRASTRUCTURE) {
                throw new StreamsException(
                        failedOn(batch, image) + " for a reason outside the image; "
                                + "failing the task so that its batch is scored again",
                        failed.cause(),
                        context.taskId());
            }
        }
        Map<String, Integer> exhausted = new HashMap<>();
        StreamsException retry = null;
        int retryAttempts = 0;
        for (ScoredImage image : batch.images()) {
            if (!(image.outcome() instanceof Failed failed)
                    || FailureClassifier.classify(failed.cause()) != FailureVerdict.UNCERTAIN) {
                continue;
            }
            String position = position(image.pending());
            int attempts = retries.failed(position);
            if (attempts >= retries.maxAttempts()) {
                exhausted.put(position, attempts);
            } else if (retry == null) {
                retryAttempts = attempts;
                retry = new StreamsException(
                        failedOn(batch, image) + " (attempt " + attempts + " of " + retries.maxAttempts()
                                + ") for a reason that may lie outside the image; failing the task so that its batch "
                                + "is scored again",
                        failed.cause(),
                        context.taskId());
            }
        }
        if (retry != null) {
            // The pause keeps a replacement thread from scoring the batch again at once.
            retries.pauseAfter(retryAttempts);
            throw retry;
        }
        return exhausted;
    }

    private static String failedOn(ScoredBatch batch, ScoredImage image) {
        return "model " + batch.model().name() + " v" + batch.model().version() + " failed on image "
                + image.pending().ref().getId();
    }

    /** Where the image's input record is: the key of its retry budget, as the parser's. */
    private static String position(PendingImage image) {
        return image.topic() + "-" + image.partition() + "@" + image.offset();
    }

    /** Where the image's time went; records its queue wait. */
    private LatencyBreakdown latency(ScoredBatch batch, ScoredImage image) {
        double queueMs = Math.max(0, batch.startedAtMs() - image.pending().enqueuedMs());
        metrics.queueWaited(Duration.ofMillis((long) queueMs));
        return new LatencyBreakdown(image.fetchMs(), queueMs, batch.inferenceNanos() / NANOS_PER_MILLI);
    }

    /**
     * Forwards an image's prediction, and its label request and features if any.
     *
     * @param features the primary's features of the image, whichever arm made the prediction, or null
     */
    private void emitPrediction(
            ProcessorContext<String, Object> context,
            ScoredBatch batch,
            PendingImage image,
            Prediction prediction,
            float[] features,
            Instant scoredTime) {
        forward(context, image, outputs.predictions(), prediction);
        metrics.predicted(prediction.getArm());
        labeling.requestFor(prediction, scoredTime, driftReason(batch, prediction))
                .ifPresent(request -> {
                    metrics.labelRequested();
                    forward(context, image, outputs.labelRequests(), request);
                });
        emitFeatures(context, image, batch.featureLayout(), features, scoredTime);
    }

    /**
     * Counts a prediction of the current version towards its drift, and says why to ask for its label if the version
     * drifts and the image is in the share asked about. The canary's predictions are another version's: they say
     * nothing about the current one's inputs beyond what its own predictions on the rest (a share picked by hash, so
     * alike) say.
     */
    private Optional<String> driftReason(ScoredBatch batch, Prediction prediction) {
        if (prediction.getArm() != PredictionArm.CURRENT
                || prediction.getModelVersion() != batch.model().version()) {
            return Optional.empty();
        }
        List<String> classes = batch.model().classes();
        float[] probabilities = new float[classes.size()];
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] = prediction.getProbabilities().getOrDefault(classes.get(i), 0f);
        }
        DriftShift shift = drift.observe(batch.model(), probabilities);
        return shift.drifting() && drift.inLabelingShare(prediction.getImageId())
                ? Optional.of(shift.describe())
                : Optional.empty();
    }

    private void emitFeatures(
            ProcessorContext<String, Object> context,
            PendingImage image,
            FeatureLayout layout,
            float[] values,
            Instant now) {
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
        context.forward(
                new Record<>(
                        FeatureVectorKeys.of(image.ref().getId(), layout.baseModelId()), vector, image.timestamp()),
                outputs.features());
    }

    private static DeadLetters.Input deadLetterInput(PendingImage image) {
        return new DeadLetters.Input(image.ref().getId(), image.ref().getUri(), image.rawValue(), image.source());
    }

    private static void forward(
            ProcessorContext<String, Object> context, PendingImage image, String node, Object value) {
        context.forward(new Record<>(image.ref().getId(), value, image.timestamp()), node);
    }
}
