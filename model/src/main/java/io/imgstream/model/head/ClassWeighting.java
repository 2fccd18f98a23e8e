package io.imgstream.model.head;

import java.util.Arrays;

/** How {@link HeadTrainer} and {@link LinearHeadTrainer} weigh each example's loss by its class. */
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
    BALANCED;

    /**
     * Each class's weight for a training set with these counts.
     *
     * @param counts examples per class
     * @return per class, its weight (0 for a class with no examples); null for {@link #NONE}
     */
    public float[] weights(int[] counts) {
        if (this == NONE) {
            return null;
        }
        long total = Arrays.stream(counts).asLongStream().sum();
        long present = Arrays.stream(counts).filter(c -> c > 0).count();
        float[] weights = new float[counts.length];
        for (int c = 0; c < counts.length; c++) {
            weights[c] = counts[c] == 0 ? 0f : (float) ((double) total / (present * counts[c]));
        }
        return weights;
    }
}
