package io.imgstream.topology.metrics;

/**
 * Why the batcher closed a batch and handed it to the forward pass: the suffix of the
 * {@value ScorerMetrics#BATCHES_CLOSED} meters. It lives beside the meters so that the metrics depend on no other
 * package of the scorer, while every package may record metrics.
 */
public enum BatchCloseReason {
    /** It reached {@code batch.size}. */
    FULL,
    /** Its oldest image had waited {@code batch.linger.ms}. */
    LINGER
}
