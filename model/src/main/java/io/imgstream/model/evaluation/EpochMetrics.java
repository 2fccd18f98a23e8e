package io.imgstream.model.evaluation;

import java.time.Duration;

/**
 * Results of one training epoch, all measured after the epoch in inference mode (no dropout), so
 * training and validation numbers are comparable.
 *
 * @param epoch              1-based epoch number
 * @param trainLoss          mean cross-entropy on the training images
 * @param trainAccuracy      accuracy on the training images
 * @param validationLoss     mean cross-entropy on the validation images
 * @param validationAccuracy accuracy on the validation images
 * @param duration           wall time of the epoch, including both evaluations
 */
public record EpochMetrics(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double validationLoss,
        double validationAccuracy,
        Duration duration) {}
