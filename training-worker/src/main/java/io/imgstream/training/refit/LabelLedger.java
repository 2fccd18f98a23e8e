package io.imgstream.training.refit;

import io.imgstream.training.labels.LabeledExample;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the labels that arrived since the last refit: images labeled since, relabeled since, or unlabeled since.
 * After a restart nothing is known of the last refit but the number of images its version was trained on, so
 * until the first refit of this run the count is the growth of the labeled set beyond it.
 *
 * <p>Not thread-safe.
 */
public final class LabelLedger {

    private final int baseline;
    private Map<String, String> fitted;

    /** @param baseline images in the labeled set when the newest version was trained; 0 if there is none */
    public LabelLedger(int baseline) {
        this.baseline = baseline;
    }

    /** Labels in {@code snapshot} that the last refit did not see. */
    public int newLabels(List<LabeledExample> snapshot) {
        if (fitted == null) {
            return Math.max(0, snapshot.size() - baseline);
        }
        int changed = 0;
        int stillThere = 0;
        for (LabeledExample example : snapshot) {
            String before = fitted.get(example.imageId());
            if (before != null) {
                stillThere++;
            }
            if (!example.label().equals(before)) {
                changed++;
            }
        }
        return changed + fitted.size() - stillThere;
    }

    /** Marks {@code snapshot} as seen by a refit. */
    public void refitted(List<LabeledExample> snapshot) {
        Map<String, String> labels = new HashMap<>();
        snapshot.forEach(e -> labels.put(e.imageId(), e.label()));
        fitted = labels;
    }
}
