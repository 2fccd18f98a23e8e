package io.imgstream.model.head;

import java.util.List;
import java.util.Objects;

/**
 * How {@link LinearHeadTrainer} fits a linear head.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a number is out of range.
 *
 * @param l2Strengths    L2 strengths tried, each a softmax regression trained on the training examples; the one with
 *                       the best validation accuracy is kept; not empty, each positive
 * @param epochs         full-batch Adam steps of each regression; positive
 * @param learningRate   Adam's learning rate; positive
 * @param seed           seed of the regressions' initial weights
 * @param classWeighting how examples are weighed by class
 * @param fitOnValidation whether the kept strength's regression is trained once more on the training and validation
 *                        examples together; off where the validation examples are what the head will be measured on
 */
public record LinearHeadTrainingConfig(
        List<Double> l2Strengths,
        int epochs,
        double learningRate,
        long seed,
        ClassWeighting classWeighting,
        boolean fitOnValidation) {

    /**
     * Default strengths: decades from 1e-3 to 1. On a few hundred labelled images the best strength moved between
     * 1e-3 and 1e-1 from one layer of a base to the next; a grid chooses it where a fixed value would not. Half-decades
     * took twice as long (a DL4J step costs milliseconds however small the regression) and 100 validation images
     * told their neighbours apart by a point at most (0.72 to 0.74 on Fashion-MNIST).
     */
    public static final List<Double> DEFAULT_L2_STRENGTHS = List.of(1e-3, 1e-2, 1e-1, 1.0);
    /**
     * Default steps: on standardised features the regression's training loss settles well within them (seen on
     * MobileNetV2 features of 400 Fashion-MNIST images: unchanged in its third decimal from step 100 on).
     */
    public static final int DEFAULT_EPOCHS = 300;
    /** Default Adam learning rate, at the first step. */
    public static final double DEFAULT_LEARNING_RATE = 1e-2;

    public LinearHeadTrainingConfig {
        Objects.requireNonNull(classWeighting, "classWeighting");
        l2Strengths = List.copyOf(Objects.requireNonNull(l2Strengths, "l2Strengths"));
        if (l2Strengths.isEmpty() || l2Strengths.stream().anyMatch(l2 -> !(l2 > 0))) {
            throw new IllegalArgumentException("L2 strengths must be positive, at least one: " + l2Strengths);
        }
        if (epochs <= 0 || !(learningRate > 0)) {
            throw new IllegalArgumentException(
                    "epochs and learning rate must be positive, were " + epochs + " and " + learningRate);
        }
    }

    /**
     * Returns the default settings: the kept strength trained once more on the validation examples too.
     *
     * @param seed           seed of the initial weights
     * @param classWeighting how examples are weighed by class
     */
    public static LinearHeadTrainingConfig defaults(long seed, ClassWeighting classWeighting) {
        return new LinearHeadTrainingConfig(
                DEFAULT_L2_STRENGTHS, DEFAULT_EPOCHS, DEFAULT_LEARNING_RATE, seed, classWeighting, true);
    }

    /**
     * Returns these settings with the kept regression as it was trained on the training examples alone.
     *
     * @return the settings for a head measured on its validation examples
     */
    public LinearHeadTrainingConfig withoutFitOnValidation() {
        return new LinearHeadTrainingConfig(l2Strengths, epochs, learningRate, seed, classWeighting, false);
    }
}
