package io.imgstream.model.training;

import io.imgstream.model.augment.AugmentationConfig;
import java.util.Objects;

/**
 * How {@link FineTuner} trains a base with its head: SGD with Nesterov momentum at a low learning
 * rate, as the seeds fine-tune ({@code SGD(lr=1e-4, momentum=0.9)}; DL4J has no plain-momentum SGD,
 * and Nesterov momentum is the usual stand-in), on augmented images.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a number is out of range.
 *
 * @param learningRate   SGD learning rate; positive
 * @param momentum       momentum, in {@code [0, 1)}
 * @param epochs         passes over the (balanced) training images; positive
 * @param batchSize      images per minibatch; positive
 * @param seed           seed of balancing, shuffles, augmentation and dropout; epoch {@code e} is seeded from
 *                       {@code (seed, e)}
 * @param augmentation   random changes applied to every training image, every epoch anew
 * @param balanceClasses oversample smaller classes up to the largest ({@link io.imgstream.model.augment.ClassBalancer})
 */
public record FineTuneConfig(
        double learningRate,
        double momentum,
        int epochs,
        int batchSize,
        long seed,
        AugmentationConfig augmentation,
        boolean balanceClasses) {

    /** Default learning rate, as in the seeds. */
    public static final double DEFAULT_LEARNING_RATE = 1e-4;
    /** Default momentum, as in the seeds. */
    public static final double DEFAULT_MOMENTUM = 0.9;
    /** Default epochs. */
    public static final int DEFAULT_EPOCHS = 10;
    /** Default minibatch, fitting VGG16 at 150 x 150 in about 1.5 GB. */
    public static final int DEFAULT_BATCH_SIZE = 16;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;

    public FineTuneConfig {
        Objects.requireNonNull(augmentation, "augmentation");
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be positive, was " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
        }
        if (epochs <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException(
                    "epochs and batchSize must be positive, were " + epochs + " and " + batchSize);
        }
    }

    /**
     * Returns the seeds' settings with the default augmentation and class balancing on.
     *
     * @return the defaults
     */
    public static FineTuneConfig defaults() {
        return new FineTuneConfig(
                DEFAULT_LEARNING_RATE,
                DEFAULT_MOMENTUM,
                DEFAULT_EPOCHS,
                DEFAULT_BATCH_SIZE,
                DEFAULT_SEED,
                AugmentationConfig.defaults(),
                true);
    }
}
