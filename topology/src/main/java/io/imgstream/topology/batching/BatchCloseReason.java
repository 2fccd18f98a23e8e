package io.imgstream.topology.batching;

/** Why the batcher closed a batch and handed it to the forward pass. */
public enum BatchCloseReason {
    /** It reached {@code batch.size}. */
    FULL,
    /** Its oldest image had waited {@code batch.linger.ms}. */
    LINGER
}
