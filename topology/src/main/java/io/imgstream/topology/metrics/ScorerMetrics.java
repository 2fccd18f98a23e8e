package io.imgstream.topology.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.runtime.metrics.BucketedHistograms;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.PredictionArm;
import io.imgstream.topology.drift.DriftShift;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The scorer's metrics, in one Dropwizard {@link MetricRegistry} under {@value #PREFIX}; exported by JMX
 * and Prometheus ({@link MetricsExporters}). Names follow what operators know from Triton's: throughput,
 * batch sizes and why batches closed, time per stage, failures by reason, the model versions being served,
 * swaps and refused swaps.
 *
 * <p>On the Prometheus endpoint the scoring latency, fetch, queue and forward-pass times and the batch size are
 * histograms with fixed buckets ({@link BucketedHistograms}; times in seconds), which add up across instances; the
 * other timers and histograms are Dropwizard's summaries of this instance's quantiles. JMX has every metric as
 * Dropwizard's.
 *
 * <p>Thread-safe: Dropwizard metrics are.
 */
public final class ScorerMetrics {

    private static final double NANOS_PER_SECOND = 1e9;

    /** Prefix of every metric name. */
    public static final String PREFIX = "imgstream.scorer";
    /** Meter of images scored (a prediction was forwarded). */
    public static final String IMAGES_SCORED = PREFIX + ".images.scored";
    /** Timer (histogram on Prometheus) from an image's arrival at the scorer to its prediction being forwarded. */
    public static final String SCORING_LATENCY = PREFIX + ".scoring.latency";
    /** Timer (histogram on Prometheus) of fetching and decoding one image. */
    public static final String FETCH_TIME = PREFIX + ".fetch.time";
    /** Timer (histogram on Prometheus) of an image's wait from arrival to the start of its batch's forward pass. */
    public static final String QUEUE_TIME = PREFIX + ".queue.time";
    /** Timer (histogram on Prometheus) of one forward pass (one batch). */
    public static final String INFERENCE_TIME = PREFIX + ".inference.time";
    /**
     * Counter of nanoseconds stream threads spent waiting for images to be fetched and decoded as their batch closed:
     * time the stream thread neither polls nor commits because the fetch pool is behind.
     */
    public static final String STREAM_FETCH_WAIT = PREFIX + ".stream.fetch.wait.nanos";
    /**
     * Counter of nanoseconds stream threads spent waiting for a forward pass to finish, once a task held
     * {@code batch.max.in.flight} batches and a full batch behind each: the back-pressure that slows consumption to
     * the model's pace.
     */
    public static final String STREAM_INFERENCE_WAIT = PREFIX + ".stream.inference.wait.nanos";
    /** Histogram of forward-pass time divided by batch size, in microseconds. */
    public static final String INFERENCE_TIME_PER_IMAGE = PREFIX + ".inference.time.per.image.us";
    /** Histogram of images per forward pass (with fixed buckets on Prometheus). */
    public static final String BATCH_SIZE = PREFIX + ".batch.size";
    /** Meters of batches closed, {@code .<REASON>} per {@link BatchCloseReason}. */
    public static final String BATCHES_CLOSED = PREFIX + ".batches.closed";
    /** Meter of label requests sent for uncertain predictions. */
    public static final String LABEL_REQUESTS = PREFIX + ".label.requests";
    /** Meter of all dead letters; {@code .<REASON>} meters count each reason. */
    public static final String DEAD_LETTERS = PREFIX + ".dead.letters";
    /** Gauge of the version of the model producing predictions. */
    public static final String MODEL_VERSION = PREFIX + ".model.version";
    /** Gauge of the version of the shadow model, -1 when none. */
    public static final String SHADOW_MODEL_VERSION = PREFIX + ".shadow.model.version";
    /** Meter of model versions installed from the control topic (primary or shadow). */
    public static final String MODEL_SWAPS = PREFIX + ".model.swaps";
    /** Meter of model versions refused (bundle missing, corrupt, or not matching its announcement). */
    public static final String MODEL_SWAP_REFUSALS = PREFIX + ".model.swap.refusals";
    /** Timer from a version's announcement on the control topic to the first batch scored with it. */
    public static final String MODEL_SWAP_ADOPTION_TIME = PREFIX + ".model.swap.adoption.time";
    /**
     * Gauge of the decoded image bytes the fetch pool holds now, against {@code fetch.max.in.flight.bytes}: at the
     * budget, new fetches wait for forward passes to release pixels.
     */
    public static final String FETCH_HELD_BYTES = PREFIX + ".fetch.held.bytes";
    /**
     * Gauge of the records of the {@code images} topic this instance's consumers have yet to fetch, summed over the
     * partitions they are assigned (Kafka's {@code records-lag}); records fetched and buffered by Kafka Streams, or
     * waiting in the batcher, are not in it.
     */
    public static final String IMAGES_CONSUMER_LAG = PREFIX + ".images.consumer.lag";
    /** Meter of images the shadow model put in the same class as the primary model. */
    public static final String SHADOW_AGREEMENTS = PREFIX + ".shadow.agreements";
    /**
     * Meter of images the shadow model put in another class than the primary model; {@code .<class>} meters count
     * them by the primary model's class.
     */
    public static final String SHADOW_DISAGREEMENTS = PREFIX + ".shadow.disagreements";
    /** Meter of images the shadow model failed on (the primary's prediction still goes out). */
    public static final String SHADOW_FAILURES = PREFIX + ".shadow.failures";
    /**
     * Gauge of how far the primary model's recent confidence distribution has moved from its holdout's (population
     * stability index); NaN until compared.
     */
    public static final String DRIFT_CONFIDENCE_SHIFT = PREFIX + ".drift.confidence.shift";
    /** Gauge of how far the primary model's recent mix of predicted classes has moved from its holdout's. */
    public static final String DRIFT_CLASS_MIX_SHIFT = PREFIX + ".drift.class.mix.shift";
    /** Gauge of the predictions the drift comparison is over. */
    public static final String DRIFT_WINDOW = PREFIX + ".drift.window";
    /** Gauge: 1 while the primary model is drifting (either shift above {@code drift.threshold}), else 0. */
    public static final String DRIFTING = PREFIX + ".drifting";
    /**
     * Meters of predictions made, {@code .<ARM>} per {@link PredictionArm}: CURRENT and CANARY on the predictions
     * topic, SHADOW on the shadow topic.
     */
    public static final String PREDICTIONS = PREFIX + ".predictions";
    /** Gauge of the version of the canary model, -1 when none. */
    public static final String CANARY_MODEL_VERSION = PREFIX + ".canary.model.version";
    /** Gauge of the canary's share of the images in percent, 0 when there is no canary. */
    public static final String CANARY_PERCENT = PREFIX + ".canary.percent";
    /** Meter of the canary's images that the canary model put in the same class as the current model. */
    public static final String CANARY_AGREEMENTS = PREFIX + ".canary.agreements";
    /**
     * Meter of the canary's images that the canary model put in another class than the current model;
     * {@code .<class>} meters count them by the current model's class.
     */
    public static final String CANARY_DISAGREEMENTS = PREFIX + ".canary.disagreements";
    /**
     * Meter of the canary's images that the canary model failed on; each got the current model's outcome instead
     * (a prediction with arm CURRENT, or its dead letter).
     */
    public static final String CANARY_FAILURES = PREFIX + ".canary.failures";
    /** Meter of the scorer's own threads (inference, control-topic watcher) that died; each stops the scorer. */
    public static final String BACKGROUND_THREAD_FAILURES = PREFIX + ".background.thread.failures";

    private final MetricRegistry registry;
    private final BucketedHistograms histograms = new BucketedHistograms();
    private final DoubleConsumer scoringLatencySeconds;
    private final DoubleConsumer fetchSeconds;
    private final DoubleConsumer queueSeconds;
    private final DoubleConsumer inferenceSeconds;
    private final DoubleConsumer batchSizeBuckets;
    private final Meter imagesScored;
    private final Timer scoringLatency;
    private final Timer fetchTime;
    private final Timer queueTime;
    private final Timer inferenceTime;
    private final Histogram inferenceTimePerImage;
    private final Counter streamFetchWait;
    private final Counter streamInferenceWait;
    private final Histogram batchSize;
    private final Map<BatchCloseReason, Meter> batchesClosed = new EnumMap<>(BatchCloseReason.class);
    private final Meter labelRequests;
    private final Meter deadLetters;
    private final Map<DeadLetterReason, Meter> deadLettersByReason = new EnumMap<>(DeadLetterReason.class);
    private final Meter swaps;
    private final Meter swapRefusals;
    private final Timer swapAdoption;
    private final Meter backgroundThreadFailures;
    private final Map<PredictionArm, Meter> predictionsByArm = new EnumMap<>(PredictionArm.class);

    /**
     * @param primary the model producing predictions now, or null before one is loaded; read whenever the
     *                version gauge is sampled
     * @param shadow  the shadow model, if any; read whenever its gauge is sampled
     */
    public ScorerMetrics(
            MetricRegistry registry, Supplier<ModelIdentity> primary, Supplier<Optional<ModelIdentity>> shadow) {
        this.registry = registry;
        this.imagesScored = registry.meter(IMAGES_SCORED);
        this.scoringLatency = registry.timer(SCORING_LATENCY);
        this.fetchTime = registry.timer(FETCH_TIME);
        this.queueTime = registry.timer(QUEUE_TIME);
        this.inferenceTime = registry.timer(INFERENCE_TIME);
        this.inferenceTimePerImage = registry.histogram(INFERENCE_TIME_PER_IMAGE);
        this.streamFetchWait = registry.counter(STREAM_FETCH_WAIT);
        this.streamInferenceWait = registry.counter(STREAM_INFERENCE_WAIT);
        this.batchSize = registry.histogram(BATCH_SIZE);
        this.scoringLatencySeconds = histograms.define(
                SCORING_LATENCY,
                "Seconds from an image's arrival at the scorer to its prediction being forwarded.",
                BucketedHistograms.LATENCY_SECONDS);
        this.fetchSeconds = histograms.define(
                FETCH_TIME, "Seconds to fetch and decode one image.", BucketedHistograms.LATENCY_SECONDS);
        this.queueSeconds = histograms.define(
                QUEUE_TIME,
                "Seconds an image waited from arrival to the start of its batch's forward pass.",
                BucketedHistograms.LATENCY_SECONDS);
        this.inferenceSeconds = histograms.define(
                INFERENCE_TIME, "Seconds of one forward pass (one batch).", BucketedHistograms.LATENCY_SECONDS);
        this.batchSizeBuckets =
                histograms.define(BATCH_SIZE, "Images per forward pass.", BucketedHistograms.BATCH_SIZES);
        for (BatchCloseReason reason : BatchCloseReason.values()) {
            batchesClosed.put(reason, registry.meter(BATCHES_CLOSED + "." + reason.name()));
        }
        this.labelRequests = registry.meter(LABEL_REQUESTS);
        this.deadLetters = registry.meter(DEAD_LETTERS);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLettersByReason.put(reason, registry.meter(DEAD_LETTERS + "." + reason.name()));
        }
        this.swaps = registry.meter(MODEL_SWAPS);
        this.swapRefusals = registry.meter(MODEL_SWAP_REFUSALS);
        this.swapAdoption = registry.timer(MODEL_SWAP_ADOPTION_TIME);
        this.backgroundThreadFailures = registry.meter(BACKGROUND_THREAD_FAILURES);
        for (PredictionArm arm : PredictionArm.values()) {
            predictionsByArm.put(arm, registry.meter(PREDICTIONS + "." + arm.name()));
        }
        registry.gauge(
                MODEL_VERSION,
                () -> () -> Optional.ofNullable(primary.get())
                        .map(ModelIdentity::version)
                        .orElse(-1));
        registry.gauge(
                SHADOW_MODEL_VERSION,
                () -> () -> shadow.get().map(ModelIdentity::version).orElse(-1));
    }

    /**
     * Exports the canary's version and share as {@value #CANARY_MODEL_VERSION} and {@value #CANARY_PERCENT}; the
     * models are installed after the metrics, which loading them needs first.
     *
     * @param model   the canary model, if any; read whenever its gauge is sampled
     * @param percent its share in percent, 0 when none
     */
    public void canaryFollows(Supplier<Optional<ModelIdentity>> model, IntSupplier percent) {
        registry.gauge(
                CANARY_MODEL_VERSION,
                () -> () -> model.get().map(ModelIdentity::version).orElse(-1));
        registry.gauge(CANARY_PERCENT, () -> percent::getAsInt);
    }

    /**
     * Exports the fetch pool's held bytes as {@value #FETCH_HELD_BYTES}; the pool is built after the metrics, which
     * its users need first.
     *
     * @param heldBytes read whenever the gauge is sampled, such as {@code FetchPool::heldBytes}
     */
    public void fetchPoolHolds(LongSupplier heldBytes) {
        registry.gauge(FETCH_HELD_BYTES, () -> heldBytes::getAsLong);
    }

    /**
     * Exports the drift comparison's figures as {@value #DRIFT_CONFIDENCE_SHIFT}, {@value #DRIFT_CLASS_MIX_SHIFT},
     * {@value #DRIFT_WINDOW} and {@value #DRIFTING}.
     *
     * @param shift read whenever a gauge is sampled, such as {@code DriftMonitor::current}
     */
    public void driftOf(Supplier<DriftShift> shift) {
        registry.gauge(DRIFT_CONFIDENCE_SHIFT, () -> () -> shift.get().confidence());
        registry.gauge(DRIFT_CLASS_MIX_SHIFT, () -> () -> shift.get().classMix());
        registry.gauge(DRIFT_WINDOW, () -> () -> shift.get().window());
        registry.gauge(DRIFTING, () -> () -> shift.get().drifting() ? 1 : 0);
    }

    /**
     * Exports the consumer lag on the {@code images} topic as {@value #IMAGES_CONSUMER_LAG}; Kafka Streams is
     * built after the metrics, which its processors need first.
     *
     * @param lag read whenever the gauge is sampled, such as {@link ConsumerLag#of}
     */
    public void imagesConsumerLag(LongSupplier lag) {
        registry.gauge(IMAGES_CONSUMER_LAG, () -> lag::getAsLong);
    }

    /** The registry holding these metrics. */
    public MetricRegistry registry() {
        return registry;
    }

    /** The metrics exported as bucketed histograms on the Prometheus endpoint, in place of their namesakes. */
    public BucketedHistograms histograms() {
        return histograms;
    }

    /** One image was fetched and decoded in {@code nanos}. */
    public void imageFetched(long nanos) {
        fetchTime.update(nanos, TimeUnit.NANOSECONDS);
        fetchSeconds.accept(nanos / NANOS_PER_SECOND);
    }

    /** A stream thread waited {@code nanos} for an image of a closing batch to be fetched and decoded. */
    public void streamWaitedForFetch(long nanos) {
        streamFetchWait.inc(nanos);
    }

    /** A stream thread waited {@code nanos} for a forward pass, its task's batcher being full. */
    public void streamWaitedForInference(long nanos) {
        streamInferenceWait.inc(nanos);
    }

    /** A batch closed for {@code reason}. */
    public void batchClosed(BatchCloseReason reason) {
        batchesClosed.get(reason).mark();
    }

    /** An image waited {@code wait} from arrival to the start of its forward pass. */
    public void queueWaited(Duration wait) {
        queueTime.update(wait);
        queueSeconds.accept(wait.toNanos() / NANOS_PER_SECOND);
    }

    /** A forward pass over {@code size} images took {@code nanos}. */
    public void batchScored(int size, long nanos) {
        inferenceTime.update(nanos, TimeUnit.NANOSECONDS);
        inferenceSeconds.accept(nanos / NANOS_PER_SECOND);
        batchSize.update(size);
        batchSizeBuckets.accept(size);
        inferenceTimePerImage.update(TimeUnit.NANOSECONDS.toMicros(nanos) / Math.max(1, size));
    }

    /** An image's prediction was forwarded, {@code latency} after the image arrived. */
    public void imageScored(Duration latency) {
        imagesScored.mark();
        scoringLatency.update(latency);
        scoringLatencySeconds.accept(latency.toNanos() / NANOS_PER_SECOND);
    }

    /** A label request was sent. */
    public void labelRequested() {
        labelRequests.mark();
    }

    /** One input became a dead letter for {@code reason}. */
    public void deadLettered(DeadLetterReason reason) {
        deadLetters.mark();
        deadLettersByReason.get(reason).mark();
    }

    /** A model version from the control topic was installed. */
    public void modelSwapped() {
        swaps.mark();
    }

    /** A model version from the control topic was refused. */
    public void modelSwapRefused() {
        swapRefusals.mark();
    }

    /** The first batch with a new primary model started {@code delay} after its announcement. */
    public void swapAdopted(Duration delay) {
        swapAdoption.update(delay);
    }

    /**
     * The shadow model scored an image the primary model scored too.
     *
     * @param primaryClass the primary model's most probable class
     * @param shadowClass  the shadow model's
     */
    public void shadowCompared(String primaryClass, String shadowClass) {
        compared(SHADOW_AGREEMENTS, SHADOW_DISAGREEMENTS, primaryClass, shadowClass);
    }

    /** The shadow model failed on {@code images} images. */
    public void shadowFailed(int images) {
        registry.meter(SHADOW_FAILURES).mark(images);
    }

    /**
     * The canary model scored an image of its share, which the current model scored too.
     *
     * @param currentClass the current model's most probable class
     * @param canaryClass  the canary model's
     */
    public void canaryCompared(String currentClass, String canaryClass) {
        compared(CANARY_AGREEMENTS, CANARY_DISAGREEMENTS, currentClass, canaryClass);
    }

    /** The canary model failed on {@code images} images of its share. */
    public void canaryFailed(int images) {
        registry.meter(CANARY_FAILURES).mark(images);
    }

    /** A prediction of {@code arm} was forwarded. */
    public void predicted(PredictionArm arm) {
        predictionsByArm.get(arm).mark();
    }

    private void compared(String agreements, String disagreements, String currentClass, String otherClass) {
        if (currentClass.equals(otherClass)) {
            registry.meter(agreements).mark();
        } else {
            registry.meter(disagreements).mark();
            registry.meter(disagreements + "." + currentClass).mark();
        }
    }

    /** One of the scorer's own threads died. */
    public void backgroundThreadFailed() {
        backgroundThreadFailures.mark();
    }
}
