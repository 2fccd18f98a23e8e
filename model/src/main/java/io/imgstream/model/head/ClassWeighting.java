package io.imgstream.model.head;

/** How {@link HeadTrainer} weighs each example's loss by its class. */
public enum ClassWeighting {
    /** Every example counts the same. */
    NONE,
    /**
     * Class {@code c} weighs {@code n / (k * n_c)} ({@code n} examples, {@code k} classes present,
     * {@code n_c} of class {@code c}), as scikit-learn's "balanced": each class contributes equally
     * to the loss, so a small class is not ignored. Applied as per-example label-mask values, which DL4J
     * multiplies into each example's loss and gradient. With small minibatches and a rare class, keep
     * the learning rate modest: at RMSprop 1e-2 the few heavily weighted minibatches made training
     * erratic in our tests, at 1e-3 the weights did their job.
     */
    BALANCED
}
