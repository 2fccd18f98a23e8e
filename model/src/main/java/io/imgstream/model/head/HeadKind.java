package io.imgstream.model.head;

/** Which head a fit trains on a base's features. */
public enum HeadKind {
    /**
     * The seeds' Dense(256)-Dropout(0.5) head ({@link HeadConfig#forFeatures}), trained by {@link HeadTrainer} with
     * early stopping on the validation loss.
     */
    DENSE,
    /**
     * No hidden layer ({@link HeadConfig#linearFor}): a softmax regression on the pooled features, its L2 strength
     * chosen on the validation images and then refitted on every labelled image ({@link LinearHeadTrainer}).
     */
    LINEAR
}
