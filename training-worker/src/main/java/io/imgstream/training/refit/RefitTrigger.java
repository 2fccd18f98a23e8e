package io.imgstream.training.refit;

import java.time.Duration;
import java.util.Objects;

/**
 * When a refit is due: {@code everyLabels} labels since the last refit, or {@code interval} since it while at
 * least one label waits, and never before the labeled set holds {@code minLabels} usable images.
 *
 * @param everyLabels labels that trigger a refit
 * @param interval    longest a waiting label waits
 * @param minLabels   smallest labeled set worth a refit
 */
public record RefitTrigger(int everyLabels, Duration interval, int minLabels) {

    public RefitTrigger {
        Objects.requireNonNull(interval, "interval");
        if (everyLabels < 1 || minLabels < 2) {
            throw new IllegalArgumentException("everyLabels must be at least 1 and minLabels at least 2");
        }
    }

    /**
     * @param newLabels      labels (new images or relabels) since the last refit
     * @param labeledImages  images in the labeled set
     * @param sinceLastRefit time since the last refit (or since start)
     * @return whether to refit now
     */
    public boolean due(int newLabels, int labeledImages, Duration sinceLastRefit) {
        if (newLabels == 0 || labeledImages < minLabels) {
            return false;
        }
        return newLabels >= everyLabels || sinceLastRefit.compareTo(interval) >= 0;
    }
}
