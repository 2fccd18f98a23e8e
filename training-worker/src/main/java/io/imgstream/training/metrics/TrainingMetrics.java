package io.imgstream.training.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.imgstream.schemas.avro.RolloutAction;
import io.imgstream.training.labels.LabelCounter;
import io.imgstream.training.refit.RefitOutcome;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** The worker's metrics, named {@value #PREFIX}.*. Thread-safe. */
public final class TrainingMetrics implements LabelCounter {

    /** Prefix of every name. */
    public static final String PREFIX = "imgstream.training";
    /** Meter: labels taken into the labeled set (new images and relabels). */
    public static final String LABELS_TAKEN = PREFIX + ".labels.taken";
    /** Counter: feedback records refused. */
    public static final String LABELS_REFUSED = PREFIX + ".labels.refused";
    /** Counter: feedback and features records skipped because they are at fault for not deserializing. */
    public static final String RECORDS_SKIPPED = PREFIX + ".records.skipped";
    /** Gauge: usable images in the labeled set at the last refit. */
    public static final String LABELED_IMAGES = PREFIX + ".labeled.images";
    /** Gauge: labels waiting for the next refit. */
    public static final String PENDING_LABELS = PREFIX + ".pending.labels";
    /** Counter: candidates announced for scorers. */
    public static final String REFITS_PUBLISHED = PREFIX + ".refits.published";
    /** Counter: candidates that did not pass the gate. */
    public static final String REFITS_REJECTED = PREFIX + ".refits.rejected";
    /** Counter: refits that trained nothing (too few labels, one class, empty holdout). */
    public static final String REFITS_SKIPPED = PREFIX + ".refits.skipped";
    /** Counter: refits that failed (store or broker errors); the current version stays. */
    public static final String REFITS_FAILED = PREFIX + ".refits.failed";
    /** Timer: computing missing features. */
    public static final String BACKFILL_TIME = PREFIX + ".backfill.time";
    /** Timer: training the head. */
    public static final String FIT_TIME = PREFIX + ".fit.time";
    /** Timer: evaluating candidate and current version. */
    public static final String EVALUATE_TIME = PREFIX + ".evaluate.time";
    /** Timer: saving and announcing a bundle. */
    public static final String PUBLISH_TIME = PREFIX + ".publish.time";
    /** Counter: images whose features the worker computed. */
    public static final String FEATURES_BACKFILLED = PREFIX + ".features.backfilled";
    /** Gauge: holdout accuracy of the last candidate. */
    public static final String HOLDOUT_ACCURACY = PREFIX + ".holdout.accuracy";
    /** Gauge: the last version announced for scorers, 0 before any. */
    public static final String MODEL_VERSION = PREFIX + ".model.version";

    /** Counter prefix: rollout decisions announced, by action ({@code .START}, {@code .STEP}, ...). */
    public static final String ROLLOUT_DECISIONS = PREFIX + ".rollout.decisions";
    /** Gauge: the step the rollout in progress is at, from 0; -1 with none in progress. */
    public static final String ROLLOUT_STEP = PREFIX + ".rollout.step";
    /** Gauge: the canary's share of the images in percent; 0 with no rollout in progress. */
    public static final String ROLLOUT_PERCENT = PREFIX + ".rollout.percent";
    /** Counter: predictions and feedback records the rollout's measurement skipped because they are at fault. */
    public static final String ROLLOUT_RECORDS_SKIPPED = PREFIX + ".rollout.records.skipped";
    /** Counter: times the rollout's measurement failed (the broker away, say) and started its step over. */
    public static final String ROLLOUT_READ_FAILURES = PREFIX + ".rollout.read.failures";

    private final MetricRegistry registry;
    private final Meter labelsTaken;
    private final Counter labelsRefused;
    private final Counter recordsSkipped;
    private final Counter published;
    private final Counter rejected;
    private final Counter skipped;
    private final Counter failed;
    private final Timer backfillTime;
    private final Timer fitTime;
    private final Timer evaluateTime;
    private final Timer publishTime;
    private final Counter backfilled;
    private final AtomicInteger labeledImages = new AtomicInteger();
    private final AtomicInteger pendingLabels = new AtomicInteger();
    private final AtomicReference<Double> accuracy = new AtomicReference<>(Double.NaN);
    private final AtomicInteger version = new AtomicInteger();
    private final AtomicInteger rolloutStep = new AtomicInteger(-1);
    private final AtomicInteger rolloutPercent = new AtomicInteger();
    private final Counter rolloutSkipped;
    private final Counter rolloutReadFailures;

    /** @param registry where the metrics are registered */
    public TrainingMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.labelsTaken = registry.meter(LABELS_TAKEN);
        this.labelsRefused = registry.counter(LABELS_REFUSED);
        this.recordsSkipped = registry.counter(RECORDS_SKIPPED);
        this.published = registry.counter(REFITS_PUBLISHED);
        this.rejected = registry.counter(REFITS_REJECTED);
        this.skipped = registry.counter(REFITS_SKIPPED);
        this.failed = registry.counter(REFITS_FAILED);
        this.backfillTime = registry.timer(BACKFILL_TIME);
        this.fitTime = registry.timer(FIT_TIME);
        this.evaluateTime = registry.timer(EVALUATE_TIME);
        this.publishTime = registry.timer(PUBLISH_TIME);
        this.backfilled = registry.counter(FEATURES_BACKFILLED);
        registry.register(LABELED_IMAGES, (Gauge<Integer>) labeledImages::get);
        registry.register(PENDING_LABELS, (Gauge<Integer>) pendingLabels::get);
        registry.register(HOLDOUT_ACCURACY, (Gauge<Double>) accuracy::get);
        registry.register(MODEL_VERSION, (Gauge<Integer>) version::get);
        registry.register(ROLLOUT_STEP, (Gauge<Integer>) rolloutStep::get);
        registry.register(ROLLOUT_PERCENT, (Gauge<Integer>) rolloutPercent::get);
        this.rolloutSkipped = registry.counter(ROLLOUT_RECORDS_SKIPPED);
        this.rolloutReadFailures = registry.counter(ROLLOUT_READ_FAILURES);
    }

    /** The registry, for exporters. */
    public MetricRegistry registry() {
        return registry;
    }

    @Override
    public void taken() {
        labelsTaken.mark();
    }

    @Override
    public void refused(String reason) {
        labelsRefused.inc();
    }

    /** A feedback or features record was skipped: it does not deserialize, and the fault is its own. */
    public void recordSkipped() {
        recordsSkipped.inc();
    }

    /** Labels waiting for the next refit. */
    public void pending(int labels) {
        pendingLabels.set(labels);
    }

    /** Records a finished refit. */
    public void refitted(RefitOutcome outcome) {
        labeledImages.set(outcome.labeledImages());
        backfilled.inc(outcome.backfilled());
        backfillTime.update(outcome.backfillTime().toNanos(), TimeUnit.NANOSECONDS);
        if (outcome.skipped().isPresent()) {
            skipped.inc();
            return;
        }
        fitTime.update(outcome.fitTime().toNanos(), TimeUnit.NANOSECONDS);
        evaluateTime.update(outcome.evaluateTime().toNanos(), TimeUnit.NANOSECONDS);
        publishTime.update(outcome.publishTime().toNanos(), TimeUnit.NANOSECONDS);
        accuracy.set(outcome.accuracy());
        if (outcome.published()) {
            published.inc();
            version.set(outcome.version());
        } else {
            rejected.inc();
        }
    }

    /** Records a refit that failed. */
    public void refitFailed() {
        failed.inc();
    }

    /** Counts a rollout decision announced. */
    public void rolloutDecided(RolloutAction action) {
        registry.counter(ROLLOUT_DECISIONS + "." + action.name()).inc();
    }

    /** Where the rollout in progress stands; step -1 and share 0 with none. */
    public void rolloutAt(int step, int percent) {
        rolloutStep.set(step);
        rolloutPercent.set(percent);
    }

    /** A record the rollout's measurement skipped: it is at fault for not deserializing. */
    public void rolloutRecordSkipped() {
        rolloutSkipped.inc();
    }

    /** The rollout's measurement failed and starts its step over. */
    public void rolloutReadFailed() {
        rolloutReadFailures.inc();
    }
}
