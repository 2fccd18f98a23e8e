package io.imgstream.model.training;

/**
 * How {@link ClassifierTrainer} runs.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if epochs or batch size is not
 * positive.
 *
 * @param epochs    passes over the training images; positive
 * @param batchSize images per minibatch, for training and evaluation; positive
 * @param seed      seed of the per-epoch shuffle and of ND4J's random numbers (dropout masks); the
 *                  same seed, data and initial network give the same training run on one machine
 */
public record TrainingConfig(int epochs, int batchSize, long seed) {

    public TrainingConfig {
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, was " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
        }
    }
}
