package io.imgstream.model.evaluation;

/**
 * How well a classifier does on a set of labelled images, measured in inference mode.
 *
 * @param count    images evaluated
 * @param loss     mean cross-entropy, {@code -ln p(true class)} in nats, with {@code p} floored
 *                 at {@code 1e-7} by the trainers; no regularisation term
 * @param accuracy fraction of images whose most probable class is the true one, in {@code [0, 1]}
 */
public record EvaluationResult(int count, double loss, double accuracy) {}
