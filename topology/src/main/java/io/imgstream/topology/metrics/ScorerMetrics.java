package io.imgstream.topology.metrics;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.topology.scoring.ModelIdentity;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The scorer's metrics, in one Dropwizard {@link MetricRegistry} under {@value #PREFIX}; exported by JMX
 * and Prometheus ({@link MetricsExporters}). Names follow what operators know from Triton's: throughput,
 * batch sizes, time per stage, failures by reason, the model version being served.
 *
 * <p>Thread-safe: Dropwizard metrics are.
 */
public final class ScorerMetrics {

    /** Prefix of every metric name. */
    public static final String PREFIX = "imgstream.scorer";
    /** Meter of images scored (a prediction was produced). */
    public static final String IMAGES_SCORED = PREFIX + ".images.scored";
    /** Timer of fetching and decoding one image. */
    public static final String FETCH_TIME = PREFIX + ".fetch.time";
    /** Timer of one forward pass (one batch). */
    public static final String INFERENCE_TIME = PREFIX + ".inference.time";
    /** Histogram of forward-pass time divided by batch size, in microseconds. */
    public static final String INFERENCE_TIME_PER_IMAGE = PREFIX + ".inference.time.per.image.us";
    /** Histogram of images per forward pass. */
    public static final String BATCH_SIZE = PREFIX + ".batch.size";
    /** Meter of all dead letters; {@code .<REASON>} meters count each reason. */
    public static final String DEAD_LETTERS = PREFIX + ".dead.letters";
    /** Gauge of the version of the model producing predictions. */
    public static final String MODEL_VERSION = PREFIX + ".model.version";

    private final MetricRegistry registry;
    private final Meter imagesScored;
    private final Timer fetchTime;
    private final Timer inferenceTime;
    private final Histogram inferenceTimePerImage;
    private final Histogram batchSize;
    private final Meter deadLetters;
    private final Map<DeadLetterReason, Meter> deadLettersByReason = new EnumMap<>(DeadLetterReason.class);

    /**
     * @param model the model being served now; read whenever the version gauge is sampled
     */
    public ScorerMetrics(MetricRegistry registry, Supplier<ModelIdentity> model) {
        this.registry = registry;
        this.imagesScored = registry.meter(IMAGES_SCORED);
        this.fetchTime = registry.timer(FETCH_TIME);
        this.inferenceTime = registry.timer(INFERENCE_TIME);
        this.inferenceTimePerImage = registry.histogram(INFERENCE_TIME_PER_IMAGE);
        this.batchSize = registry.histogram(BATCH_SIZE);
        this.deadLetters = registry.meter(DEAD_LETTERS);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLettersByReason.put(reason, registry.meter(DEAD_LETTERS + "." + reason.name()));
        }
        registry.gauge(MODEL_VERSION, () -> () -> model.get().version());
    }

    /** The registry holding these metrics. */
    public MetricRegistry registry() {
        return registry;
    }

    /** One image was fetched and decoded in {@code nanos}. */
    public void imageFetched(long nanos) {
        fetchTime.update(nanos, TimeUnit.NANOSECONDS);
    }

    /** A forward pass over {@code size} images took {@code nanos}; each image got a prediction. */
    public void batchScored(int size, long nanos) {
        inferenceTime.update(nanos, TimeUnit.NANOSECONDS);
        batchSize.update(size);
        inferenceTimePerImage.update(TimeUnit.NANOSECONDS.toMicros(nanos) / Math.max(1, size));
        imagesScored.mark(size);
    }

    /** One input became a dead letter for {@code reason}. */
    public void deadLettered(DeadLetterReason reason) {
        deadLetters.mark();
        deadLettersByReason.get(reason).mark();
    }
}
