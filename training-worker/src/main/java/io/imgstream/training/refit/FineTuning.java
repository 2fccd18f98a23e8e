package io.imgstream.training.refit;

import io.imgstream.images.ImageLoader;
import io.imgstream.model.training.FineTuneConfig;
import java.util.Objects;

/**
 * How the worker's refits also fine-tune the base (the seeds' second step): on the versions this applies to, the
 * head trained on cached features is stacked on the base, and the base's last layers train with it on the labeled
 * images, fetched again and augmented on the fly.
 *
 * @param every     fine-tune the versions whose number is a multiple of it; the others refit the head alone
 * @param layers    base layers that train; 0 for the base's last block
 *                  ({@link io.imgstream.model.training.FineTuner.Unfreeze#lastBlockOf})
 * @param config    optimiser, epochs, augmentation and class balancing
 * @param maxImages most labeled images fetched for one fine-tuning, holdout included; a larger labeled set is
 *                  sampled, each side (train, validation, holdout) in proportion, so memory stays bounded
 * @param loader    fetches images within the worker's fetch limits
 */
public record FineTuning(int every, int layers, FineTuneConfig config, int maxImages, ImageLoader loader) {

    public FineTuning {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(loader, "loader");
        if (every < 1 || layers < 0 || maxImages < 3) {
            throw new IllegalArgumentException("every must be at least 1, layers at least 0 and maxImages at least 3;"
                    + " were " + every + ", " + layers + " and " + maxImages);
        }
    }

    /** Whether version {@code version} is fine-tuned. */
    public boolean appliesTo(int version) {
        return version % every == 0;
    }
}
