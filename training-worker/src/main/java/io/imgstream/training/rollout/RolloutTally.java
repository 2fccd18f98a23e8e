package io.imgstream.training.rollout;

import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.schemas.avro.PredictionArm;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Counts, for one step of one rollout, how each arm's predictions fare against the labels: predictions and labels
 * are joined by image id, whichever comes first.
 *
 * <ul>
 *   <li>Only predictions of this model count, scored since the step began by the arm's own version (CURRENT by the
 *       current version, CANARY by the canary); any other (another model, an old version, the shadow) is ignored.</li>
 *   <li>An image counts once per step, for the arm of its first prediction; a later prediction of it is a replay or
 *       the share moving, and is ignored.</li>
 *   <li>A later label for an image replaces its earlier one, as in the labeled set: the image stays labeled once,
 *       and is correct if its latest label matches.</li>
 *   <li>A label that arrives before the prediction waits for it.</li>
 * </ul>
 *
 * <p>Predictions and labels come from topics anyone may write to, so both maps are bounded: at most
 * {@code capacity} images each, the least recently touched forgotten first. A forgotten prediction keeps the counts
 * it made; a later label for it is not counted. Thread-safe: the feed counts while the controller reads.
 */
public final class RolloutTally {

    private static final class Scored {
        final PredictionArm arm;
        final String predicted;
        String label;

        Scored(PredictionArm arm, String predicted) {
            this.arm = arm;
            this.predicted = predicted;
        }
    }

    private final String model;
    private final int currentVersion;
    private final int canaryVersion;
    private final Instant since;
    private final Map<String, Scored> scored;
    private final Map<String, String> waitingLabels;
    private final long[][] counts = new long[2][3];

    /**
     * @param model          the model whose predictions count
     * @param currentVersion the version of the CURRENT arm
     * @param canaryVersion  the version of the CANARY arm
     * @param since          when the step began: predictions scored earlier are ignored
     * @param capacity       most images remembered, for predictions and for waiting labels each
     */
    public RolloutTally(String model, int currentVersion, int canaryVersion, Instant since, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.model = Objects.requireNonNull(model, "model");
        this.currentVersion = currentVersion;
        this.canaryVersion = canaryVersion;
        this.since = Objects.requireNonNull(since, "since");
        this.scored = bounded(capacity);
        this.waitingLabels = bounded(capacity);
    }

    private static <V> Map<String, V> bounded(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Counts a prediction.
     *
     * @return whether it counted: false for another model, another version or arm, one scored before the step, a
     *         prediction without classes, or an image already counted
     */
    public synchronized boolean predicted(Prediction prediction) {
        if (!model.contentEquals(prediction.getModelName())
                || prediction.getScoredTime().isBefore(since)
                || prediction.getTopK().isEmpty()) {
            return false;
        }
        PredictionArm arm = prediction.getArm();
        int version = prediction.getModelVersion();
        boolean ours = (arm == PredictionArm.CURRENT && version == currentVersion)
                || (arm == PredictionArm.CANARY && version == canaryVersion);
        String imageId = prediction.getImageId().toString();
        if (!ours || scored.containsKey(imageId)) {
            return false;
        }
        Scored image = new Scored(arm, prediction.getTopK().get(0).getLabel().toString());
        scored.put(imageId, image);
        counts[index(arm)][0]++;
        String label = waitingLabels.remove(imageId);
        if (label != null) {
            label(image, label);
        }
        return true;
    }

    /** Counts a label, now if its image was predicted, or once it is. */
    public synchronized void labeled(LabelFeedback feedback) {
        String imageId = feedback.getImageId().toString();
        String label = feedback.getLabel().toString();
        Scored image = scored.get(imageId);
        if (image == null) {
            waitingLabels.put(imageId, label);
        } else {
            label(image, label);
        }
    }

    private void label(Scored image, String label) {
        long[] arm = counts[index(image.arm)];
        if (image.label == null) {
            arm[1]++;
        } else if (image.label.equals(image.predicted)) {
            arm[2]--;
        }
        image.label = label;
        if (label.equals(image.predicted)) {
            arm[2]++;
        }
    }

    private static int index(PredictionArm arm) {
        return arm == PredictionArm.CURRENT ? 0 : 1;
    }

    /** What the current version did so far. */
    public synchronized ArmTally current() {
        return tally(PredictionArm.CURRENT, currentVersion);
    }

    /** What the canary did so far. */
    public synchronized ArmTally canary() {
        return tally(PredictionArm.CANARY, canaryVersion);
    }

    private ArmTally tally(PredictionArm arm, int version) {
        long[] c = counts[index(arm)];
        return new ArmTally(arm, version, c[0], c[1], c[2]);
    }
}
