package io.imgstream.model.evaluation;

import java.time.Duration;
import java.util.Locale;

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
        Duration duration) {
    /**
     * One epoch's metrics from the evaluations that end it.
     *
     * @param epoch      1-based epoch number
     * @param train      the evaluation on the training data
     * @param validation the evaluation on the validation data
     * @param started    {@link System#nanoTime()} when the epoch started
     */
    public static EpochMetrics of(int epoch, EvaluationResult train, EvaluationResult validation, long started) {
        return new EpochMetrics(
                epoch,
                train.loss(),
                train.accuracy(),
                validation.loss(),
                validation.accuracy(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** One line for a log: {@code epoch 3: train loss 0.4123 accuracy 0.875, validation loss 0.5012 accuracy 0.833}. */
    public String summary() {
        return String.format(
                Locale.ROOT,
                "epoch %d: train loss %.4f accuracy %.3f, validation loss %.4f accuracy %.3f",
                epoch,
                trainLoss,
                trainAccuracy,
                validationLoss,
                validationAccuracy);
    }
}
