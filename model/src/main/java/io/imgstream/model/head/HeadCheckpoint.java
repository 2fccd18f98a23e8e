package io.imgstream.model.head;

import io.imgstream.model.evaluation.TrainingCurves;

/**
 * The training state {@link HeadTrainer} writes beside its checkpointed networks, as {@value
 * HeadTrainer#STATE_FILE}: enough to continue a run exactly where it stopped.
 *
 * @param epoch                    last completed epoch, 1-based
 * @param learningRate             learning rate for the next epoch
 * @param bestEpoch                epoch with the lowest validation loss so far
 * @param bestValidationLoss       that loss
 * @param epochsWithoutImprovement epochs since {@code bestEpoch}, for early stopping
 * @param epochsOnPlateau          epochs without improvement since the last learning-rate change
 * @param stoppedEarly             whether early stopping has ended the run
 * @param latestModel              file name of the network after {@code epoch}, with updater state
 * @param bestModel                file name of the network after {@code bestEpoch}
 * @param curves                   the curves so far
 */
public record HeadCheckpoint(
        int epoch,
        double learningRate,
        int bestEpoch,
        double bestValidationLoss,
        int epochsWithoutImprovement,
        int epochsOnPlateau,
        boolean stoppedEarly,
        String latestModel,
        String bestModel,
        TrainingCurves curves) {}
