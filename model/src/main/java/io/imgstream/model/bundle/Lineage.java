package io.imgstream.model.bundle;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What trained a version, so that its refit can be reproduced and a regression traced to its labels: the labeled
 * set it saw, when those labels were given, and the recipe and seed it was trained with. The base is the
 * manifest's {@link BundleManifest#baseModelId()}, the version it started from its
 * {@link BundleManifest#parentVersion()}.
 *
 * <p>To reproduce a refit, replay {@code feedback} up to {@link #lastLabel} into a worker with the same recipe: the
 * labeled set is each image's latest label, so the same records give the same set.
 *
 * @param labeledPerClass usable labeled images per class, train, validation and holdout together
 * @param firstLabel      when the oldest of those labels was given
 * @param lastLabel       when the newest was given
 * @param recipe          every training setting by name: head layout and optimiser, epochs, batch size, class
 *                        weighting, the split, and fine-tuning's when it ran
 * @param seed            the seed of initialisation, shuffles, dropout and augmentation
 */
public record Lineage(
        Map<String, Integer> labeledPerClass,
        Instant firstLabel,
        Instant lastLabel,
        Map<String, String> recipe,
        long seed) {

    public Lineage {
        labeledPerClass =
                Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(labeledPerClass, "labeledPerClass")));
        Objects.requireNonNull(firstLabel, "firstLabel");
        Objects.requireNonNull(lastLabel, "lastLabel");
        if (lastLabel.isBefore(firstLabel)) {
            throw new IllegalArgumentException("lastLabel " + lastLabel + " is before firstLabel " + firstLabel);
        }
        recipe = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(recipe, "recipe")));
    }
}
