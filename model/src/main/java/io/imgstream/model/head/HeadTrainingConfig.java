package io.imgstream.model.head;

import java.util.Objects;

/**
 * How {@link HeadTrainer} runs. The learning rate itself belongs to the head ({@link HeadConfig});
 * this record says how it may fall.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a number is out of range.
 *
 * @param maxEpochs               upper bound on epochs; positive
 * @param batchSize               examples per minibatch; positive
 * @param seed                    seed of the shuffles and of ND4J's random numbers (dropout); epoch
 *                                {@code e} is seeded from {@code (seed, e)}, so a resumed run repeats the
 *                                uninterrupted one
 * @param earlyStoppingPatience   stop after this many epochs without a validation-loss improvement; positive
 * @param minImprovement          how much the validation loss must fall to count as an improvement; not negative
 * @param plateauPatience         multiply the learning rate by {@code plateauFactor} after this many epochs
 *                                without improvement; positive (set it at or above {@code earlyStoppingPatience}
 *                                to never reduce)
 * @param plateauFactor           learning-rate multiplier on a plateau, in {@code (0, 1)}
 * @param minLearningRate         the learning rate is never reduced below this; not negative
 * @param classWeighting          how examples are weighed by class
 * @param restoreBestWeights      end with the weights of the epoch with the lowest validation loss, not the last
 */
public record HeadTrainingConfig(
        int maxEpochs,
        int batchSize,
        long seed,
        int earlyStoppingPatience,
        double minImprovement,
        int plateauPatience,
        double plateauFactor,
        double minLearningRate,
        ClassWeighting classWeighting,
        boolean restoreBestWeights) {

    /** Default epoch bound; early stopping usually ends sooner. */
    public static final int DEFAULT_MAX_EPOCHS = 50;
    /** Default minibatch, as in the seeds. */
    public static final int DEFAULT_BATCH_SIZE = 20;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;
    /** Default early-stopping patience, epochs. */
    public static final int DEFAULT_EARLY_STOPPING_PATIENCE = 5;
    /** Default minimum improvement of the validation loss, nats. */
    public static final double DEFAULT_MIN_IMPROVEMENT = 1e-4;
    /** Default reduce-LR-on-plateau patience, epochs. */
    public static final int DEFAULT_PLATEAU_PATIENCE = 2;
    /** Default reduce-LR-on-plateau factor. */
    public static final double DEFAULT_PLATEAU_FACTOR = 0.5;
    /** Default floor of the learning rate. */
    public static final double DEFAULT_MIN_LEARNING_RATE = 1e-7;

    public HeadTrainingConfig {
        Objects.requireNonNull(classWeighting, "classWeighting");
        if (maxEpochs <= 0 || batchSize <= 0 || earlyStoppingPatience <= 0 || plateauPatience <= 0) {
            throw new IllegalArgumentException("epochs, batch size and patiences must be positive: " + this);
        }
        if (!(minImprovement >= 0) || !(minLearningRate >= 0)) {
            throw new IllegalArgumentException("minImprovement and minLearningRate must not be negative: " + this);
        }
        if (!(plateauFactor > 0 && plateauFactor < 1)) {
            throw new IllegalArgumentException("plateauFactor must be in (0, 1), was " + plateauFactor);
        }
    }

    /**
     * Returns the default settings.
     *
     * @return the defaults, without class weights and restoring the best weights
     */
    public static HeadTrainingConfig defaults() {
        return new HeadTrainingConfig(
                DEFAULT_MAX_EPOCHS,
                DEFAULT_BATCH_SIZE,
                DEFAULT_SEED,
                DEFAULT_EARLY_STOPPING_PATIENCE,
                DEFAULT_MIN_IMPROVEMENT,
                DEFAULT_PLATEAU_PATIENCE,
                DEFAULT_PLATEAU_FACTOR,
                DEFAULT_MIN_LEARNING_RATE,
                ClassWeighting.NONE,
                true);
    }

    /**
     * Returns these settings with another epoch bound.
     *
     * @param epochs the new bound
     * @return a new config
     */
    public HeadTrainingConfig withMaxEpochs(int epochs) {
        return copy(epochs, classWeighting);
    }

    /**
     * Returns these settings with another class weighting.
     *
     * @param weighting the new weighting
     * @return a new config
     */
    public HeadTrainingConfig withClassWeighting(ClassWeighting weighting) {
        return copy(maxEpochs, weighting);
    }

    private HeadTrainingConfig copy(int newMaxEpochs, ClassWeighting newClassWeighting) {
        return new HeadTrainingConfig(
                newMaxEpochs,
                batchSize,
                seed,
                earlyStoppingPatience,
                minImprovement,
                plateauPatience,
                plateauFactor,
                minLearningRate,
                newClassWeighting,
                restoreBestWeights);
    }
}
