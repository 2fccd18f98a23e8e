package io.imgstream.model.head;

import java.util.Objects;

/**
 * Architecture and optimiser of a head, as in the seeds: pooling → (optionally) batch normalisation →
 * Dense({@code hiddenUnits}, ReLU) → Dropout({@code dropoutRate}) → softmax, trained with RMSprop. A <em>linear</em>
 * head ({@link #linear}) has no hidden layer: pooling → softmax, a regularised softmax regression on the pooled
 * features that {@link LinearHeadTrainer} fits.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if a number is out of range.
 *
 * @param pooling      how each base's feature map is reduced to a vector
 * @param hiddenUnits  units of the dense layer; positive, or 0 for a linear head
 * @param dropoutRate  fraction of the dense layer's activations dropped while training, in {@code [0, 1)}; 0 for a
 *                     linear head
 * @param learningRate RMSprop learning rate; positive
 * @param rmsDecay     RMSprop decay of the squared-gradient average ({@code rho}), in {@code (0, 1)}
 * @param normalized   whether a batch normalisation layer standardises the pooled features before the dense layer
 */
public record HeadConfig(
        HeadPooling pooling,
        int hiddenUnits,
        double dropoutRate,
        double learningRate,
        double rmsDecay,
        boolean normalized) {

    /** Default pooling. */
    public static final HeadPooling DEFAULT_POOLING = HeadPooling.FLATTEN;
    /** Default dense units, as in the seeds. */
    public static final int DEFAULT_HIDDEN_UNITS = 256;
    /** Default dropout rate, as in the seeds. */
    public static final double DEFAULT_DROPOUT_RATE = 0.5;
    /** Default RMSprop learning rate, as in the seeds. */
    public static final double DEFAULT_LEARNING_RATE = 2e-5;
    /**
     * RMSprop learning rate of a head over averaged or standardised features: a few hundred values near 1, not
     * thousands of large ones, which the seeds' 2e-5 barely moves in fifty epochs (seen: 0.39 validation accuracy
     * after 39 epochs on MobileNetV2's averaged features) while RMSprop's usual 1e-3 (Keras's default) converges
     * in a few.
     */
    public static final double SCALED_FEATURES_LEARNING_RATE = 1e-3;
    /** Default RMSprop decay, Keras' {@code rho}. */
    public static final double DEFAULT_RMS_DECAY = 0.9;
    /** The seeds' head reads the features as they come. */
    public static final boolean DEFAULT_NORMALIZED = false;

    public HeadConfig {
        Objects.requireNonNull(pooling, "pooling");
        if (hiddenUnits < 0) {
            throw new IllegalArgumentException(
                    "hiddenUnits must be positive, or 0 for a linear head, was " + hiddenUnits);
        }
        if (hiddenUnits == 0 && dropoutRate != 0) {
            throw new IllegalArgumentException(
                    "a linear head has no layer to drop out of; dropoutRate was " + dropoutRate);
        }
        if (dropoutRate < 0 || dropoutRate >= 1) {
            throw new IllegalArgumentException("dropoutRate must be in [0, 1), was " + dropoutRate);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be positive, was " + learningRate);
        }
        if (!(rmsDecay > 0 && rmsDecay < 1)) {
            throw new IllegalArgumentException("rmsDecay must be in (0, 1), was " + rmsDecay);
        }
    }

    /**
     * Returns the seeds' settings.
     *
     * @return the defaults
     */
    public static HeadConfig defaults() {
        return new HeadConfig(
                DEFAULT_POOLING,
                DEFAULT_HIDDEN_UNITS,
                DEFAULT_DROPOUT_RATE,
                DEFAULT_LEARNING_RATE,
                DEFAULT_RMS_DECAY,
                DEFAULT_NORMALIZED);
    }

    /**
     * A linear head: the features pooled as given, straight into the output layer.
     *
     * @param pooling how each base's feature map is reduced to a vector
     */
    public static HeadConfig linear(HeadPooling pooling) {
        return new HeadConfig(pooling, 0, 0, SCALED_FEATURES_LEARNING_RATE, DEFAULT_RMS_DECAY, false);
    }

    /**
     * A linear head for a base's features, as {@code fit --head linear} builds it: the pooling
     * {@link HeadPooling#forLinearHead} chooses.
     *
     * @param featureShape one image's features from the base
     */
    public static HeadConfig linearFor(long[] featureShape) {
        return linear(HeadPooling.forLinearHead(featureShape));
    }

    /** Whether the head has no hidden layer. */
    public boolean isLinear() {
        return hiddenUnits == 0;
    }

    /**
     * The seeds' head for a base's features, as {@code fit} builds it: the pooling {@link HeadPooling#forFeatures}
     * chooses and the learning rate that suits it.
     *
     * @param featureShape one image's features from the base
     * @param normalized   whether the pooled features are standardised before the dense layer
     */
    public static HeadConfig forFeatures(long[] featureShape, boolean normalized) {
        HeadPooling pooling = HeadPooling.forFeatures(featureShape);
        return defaults()
                .withPooling(pooling)
                .withNormalized(normalized)
                .withLearningRate(learningRateFor(pooling, normalized));
    }

    /**
     * The learning rate a head trains at unless told otherwise: the seeds' {@value #DEFAULT_LEARNING_RATE} for
     * flattened features as they come, {@link #SCALED_FEATURES_LEARNING_RATE} for averaged or standardised ones.
     *
     * @param pooling    how the features become the dense layer's input
     * @param normalized whether they are standardised first
     */
    public static double learningRateFor(HeadPooling pooling, boolean normalized) {
        return pooling == HeadPooling.FLATTEN && !normalized ? DEFAULT_LEARNING_RATE : SCALED_FEATURES_LEARNING_RATE;
    }

    /**
     * Returns these settings with another pooling.
     *
     * @param newPooling the pooling
     * @return a new config
     */
    public HeadConfig withPooling(HeadPooling newPooling) {
        return new HeadConfig(newPooling, hiddenUnits, dropoutRate, learningRate, rmsDecay, normalized);
    }

    /**
     * Returns these settings with another learning rate.
     *
     * @param newLearningRate the RMSprop learning rate
     * @return a new config
     */
    public HeadConfig withLearningRate(double newLearningRate) {
        return new HeadConfig(pooling, hiddenUnits, dropoutRate, newLearningRate, rmsDecay, normalized);
    }

    /**
     * Returns these settings with or without batch normalisation of the pooled features. Features of an
     * intermediate layer or of several bases differ in scale by orders of magnitude from one channel to the next;
     * standardised, a head trains at one learning rate for all of them.
     *
     * @param newNormalized whether to normalise
     * @return a new config
     */
    public HeadConfig withNormalized(boolean newNormalized) {
        return new HeadConfig(pooling, hiddenUnits, dropoutRate, learningRate, rmsDecay, newNormalized);
    }
}
