package io.imgstream.topology.drift;

import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.inference.ModelIdentity;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the current model version's most recent predictions with its holdout's ({@link PredictionProfile}): a
 * sliding window of confidence bins and predicted classes, counted as predictions arrive. A swap starts a new
 * window, since another version's predictions say nothing about this one's inputs.
 *
 * <p>Thread-safe: stream threads observe, the metrics reporter reads.
 */
public final class DriftMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(DriftMonitor.class);

    private final DriftSettings settings;
    private final Function<ModelIdentity, Optional<PredictionProfile>> references;
    private final int[] binRing;
    private final int[] classRing;
    private final long[] bins = new long[PredictionProfile.BINS];
    private long[] perClass = new long[0];
    private ModelIdentity model;
    private PredictionProfile reference;
    private int next;
    private int size;
    private DriftShift last = DriftShift.notCompared(0);

    /**
     * @param settings   window, minimums, threshold
     * @param references the holdout profile of a model version, looked up when its first prediction arrives (and
     *                   again while it has none, in case the version was installed after the lookup)
     */
    public DriftMonitor(DriftSettings settings, Function<ModelIdentity, Optional<PredictionProfile>> references) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.references = Objects.requireNonNull(references, "references");
        this.binRing = new int[settings.windowSize()];
        this.classRing = new int[settings.windowSize()];
    }

    /**
     * Counts one prediction.
     *
     * @param by            the version that made it
     * @param probabilities its probabilities, in the order of the version's classes
     * @return the shift with this prediction counted
     */
    public synchronized DriftShift observe(ModelIdentity by, float[] probabilities) {
        if (!by.equals(model)) {
            restart(by);
        }
        if (reference == null) {
            reference = references.apply(by).orElse(null);
        }
        if (probabilities.length != perClass.length) {
            return last;
        }
        int top = ClassOutputs.argMax(probabilities);
        int bin = PredictionProfile.bin(probabilities[top]);
        if (size == binRing.length) {
            bins[binRing[next]]--;
            perClass[classRing[next]]--;
        } else {
            size++;
        }
        binRing[next] = bin;
        classRing[next] = top;
        bins[bin]++;
        perClass[top]++;
        next = (next + 1) % binRing.length;
        DriftShift shift = compare();
        if (shift.drifting() != last.drifting()) {
            if (shift.drifting()) {
                LOG.warn(
                        "{} v{} is drifting: {} (threshold {})",
                        by.name(),
                        by.version(),
                        shift.describe(),
                        settings.threshold());
            } else {
                LOG.info("{} v{} no longer drifts: {}", by.name(), by.version(), shift.describe());
            }
        }
        last = shift;
        return shift;
    }

    /** The shift as of the last prediction counted. */
    public synchronized DriftShift current() {
        return last;
    }

    /** Whether an image predicted while drifting is in the share that gets a label request anyway. */
    public boolean inLabelingShare(String imageId) {
        // String.hashCode is specified, so every instance picks the same images.
        return Math.floorMod(imageId.hashCode(), 10_000) < settings.labelingShare() * 10_000;
    }

    private DriftShift compare() {
        if (reference == null || reference.count() < settings.minReference() || size < settings.minPredictions()) {
            return DriftShift.notCompared(size);
        }
        PredictionProfile recent = PredictionProfile.of(model.classes(), bins, perClass);
        double confidence = recent.confidenceShift(reference);
        double classMix = recent.classMixShift(reference);
        return new DriftShift(
                size, confidence, classMix, confidence > settings.threshold() || classMix > settings.threshold());
    }

    private void restart(ModelIdentity by) {
        model = by;
        reference = null;
        perClass = new long[by.classes().size()];
        Arrays.fill(bins, 0);
        next = 0;
        size = 0;
        last = DriftShift.notCompared(0);
    }
}
