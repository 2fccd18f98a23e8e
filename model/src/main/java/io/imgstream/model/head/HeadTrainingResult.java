package io.imgstream.model.head;

import io.imgstream.model.evaluation.TrainingCurves;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What {@link HeadTrainer} produced.
 *
 * @param head               the trained head (the same instance that was passed in, or the one a resume loaded)
 * @param curves             per-epoch train/validation loss and accuracy, including epochs before a resume
 * @param bestEpoch          1-based epoch with the lowest validation loss
 * @param bestValidationLoss that loss, nats
 * @param stoppedEarly       whether early stopping ended training before {@link HeadTrainingConfig#maxEpochs()}
 * @param learningRate       the learning rate at the end, after any plateau reductions
 */
public record HeadTrainingResult(
        ComputationGraph head,
        TrainingCurves curves,
        int bestEpoch,
        double bestValidationLoss,
        boolean stoppedEarly,
        double learningRate)
        implements TrainedHead {}
