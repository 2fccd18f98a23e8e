package io.imgstream.model.training;

import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A small convolutional classifier trained from scratch, for small images such as Fashion-MNIST's
 * 28 x 28: {@value #CONV1} (5 x 5, 16 filters, ReLU) → {@value #POOL1} (2 x 2 max) → {@value #CONV2}
 * (3 x 3, 32 filters, ReLU) → {@value #POOL2} (2 x 2 max) → {@value #DENSE} (64, ReLU) →
 * {@value #DROPOUT} → {@value #OUTPUT} (softmax, cross-entropy), trained with Adam. Convolutions
 * use "same" padding, so any input of at least 4 x 4 pixels works. Input is NCHW, as {@link
 * io.imgstream.model.preprocess.Preprocessing} produces.
 *
 * <p>Stateless and thread-safe; each call returns a new, initialised network.
 */
public final class SmallCnn {

    /** Name of the input. */
    public static final String INPUT = "input";
    /** Name of the first convolution layer. */
    public static final String CONV1 = "conv1";
    /** Name of the first max-pooling layer. */
    public static final String POOL1 = "pool1";
    /** Name of the second convolution layer. */
    public static final String CONV2 = "conv2";
    /** Name of the second max-pooling layer. */
    public static final String POOL2 = "pool2";
    /** Name of the fully connected hidden layer. */
    public static final String DENSE = "dense";
    /** Name of the dropout layer. */
    public static final String DROPOUT = "dropout";
    /** Name of the softmax output layer. */
    public static final String OUTPUT = "output";

    /**
     * Architecture and optimiser settings.
     *
     * <p>The constructor throws {@code IllegalArgumentException} if a size is not positive, the
     * dropout rate is outside {@code [0, 1)}, the learning rate is not positive or L2 is negative.
     *
     * @param conv1Filters  filters of {@value SmallCnn#CONV1}
     * @param conv1Kernel   kernel side of {@value SmallCnn#CONV1}, pixels
     * @param conv2Filters  filters of {@value SmallCnn#CONV2}
     * @param conv2Kernel   kernel side of {@value SmallCnn#CONV2}, pixels
     * @param poolSize      side and stride of both max-pooling windows, pixels
     * @param denseUnits    units of {@value SmallCnn#DENSE}
     * @param dropoutRate   fraction of {@value SmallCnn#DENSE} activations dropped while training, in {@code [0, 1)}
     * @param learningRate  Adam learning rate
     * @param l2            L2 weight decay coefficient, 0 for none
     */
    public record Config(
            int conv1Filters,
            int conv1Kernel,
            int conv2Filters,
            int conv2Kernel,
            int poolSize,
            int denseUnits,
            double dropoutRate,
            double learningRate,
            double l2) {

        /** Default filters of the first convolution. */
        public static final int DEFAULT_CONV1_FILTERS = 16;
        /** Default kernel side of the first convolution. */
        public static final int DEFAULT_CONV1_KERNEL = 5;
        /** Default filters of the second convolution. */
        public static final int DEFAULT_CONV2_FILTERS = 32;
        /** Default kernel side of the second convolution. */
        public static final int DEFAULT_CONV2_KERNEL = 3;
        /** Default pooling window. */
        public static final int DEFAULT_POOL_SIZE = 2;
        /** Default hidden units. */
        public static final int DEFAULT_DENSE_UNITS = 64;
        /** Default dropout rate. */
        public static final double DEFAULT_DROPOUT_RATE = 0.5;
        /** Default Adam learning rate. */
        public static final double DEFAULT_LEARNING_RATE = 1e-3;
        /** Default L2 coefficient. */
        public static final double DEFAULT_L2 = 1e-4;

        public Config {
            if (conv1Filters <= 0
                    || conv1Kernel <= 0
                    || conv2Filters <= 0
                    || conv2Kernel <= 0
                    || poolSize <= 0
                    || denseUnits <= 0) {
                throw new IllegalArgumentException(
                        "filters, kernels, pool size and dense units must be positive: " + this);
            }
            if (dropoutRate < 0 || dropoutRate >= 1) {
                throw new IllegalArgumentException("dropoutRate must be in [0, 1), was " + dropoutRate);
            }
            if (!(learningRate > 0)) {
                throw new IllegalArgumentException("learningRate must be positive, was " + learningRate);
            }
            if (!(l2 >= 0)) {
                throw new IllegalArgumentException("l2 must not be negative, was " + l2);
            }
        }

        /**
         * Returns the default settings.
         *
         * @return the defaults
         */
        public static Config defaults() {
            return new Config(
                    DEFAULT_CONV1_FILTERS,
                    DEFAULT_CONV1_KERNEL,
                    DEFAULT_CONV2_FILTERS,
                    DEFAULT_CONV2_KERNEL,
                    DEFAULT_POOL_SIZE,
                    DEFAULT_DENSE_UNITS,
                    DEFAULT_DROPOUT_RATE,
                    DEFAULT_LEARNING_RATE,
                    DEFAULT_L2);
        }
    }

    private SmallCnn() {}

    /**
     * Builds the network with {@link Config#defaults()}.
     *
     * @param channels image channels (1 or 3)
     * @param height   image height in pixels
     * @param width    image width in pixels
     * @param classes  number of output classes, at least 2
     * @param seed     seed for weight initialisation
     * @return a new, initialised network
     */
    public static ComputationGraph build(int channels, int height, int width, int classes, long seed) {
        return build(channels, height, width, classes, seed, Config.defaults());
    }

    /**
     * Builds the network.
     *
     * @param channels image channels (1 or 3)
     * @param height   image height in pixels
     * @param width    image width in pixels
     * @param classes  number of output classes, at least 2
     * @param seed     seed for weight initialisation; the same seed gives the same initial weights
     * @param config   architecture and optimiser settings
     * @return a new, initialised network
     */
    public static ComputationGraph build(int channels, int height, int width, int classes, long seed, Config config) {
        Objects.requireNonNull(config, "config");
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "channels, height and width must be positive, were " + channels + ", " + height + ", " + width);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
        }
        ComputationGraphConfiguration configuration = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(config.learningRate()))
                .weightInit(WeightInit.RELU)
                .l2(config.l2())
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(height, width, channels))
                .addLayer(
                        CONV1,
                        new ConvolutionLayer.Builder(config.conv1Kernel(), config.conv1Kernel())
                                .nOut(config.conv1Filters())
                                .activation(Activation.RELU)
                                .build(),
                        INPUT)
                .addLayer(POOL1, maxPool(config.poolSize()), CONV1)
                .addLayer(
                        CONV2,
                        new ConvolutionLayer.Builder(config.conv2Kernel(), config.conv2Kernel())
                                .nOut(config.conv2Filters())
                                .activation(Activation.RELU)
                                .build(),
                        POOL1)
                .addLayer(POOL2, maxPool(config.poolSize()), CONV2)
                .addLayer(
                        DENSE,
                        new DenseLayer.Builder()
                                .nOut(config.denseUnits())
                                .activation(Activation.RELU)
                                .build(),
                        POOL2)
                // DL4J's Dropout takes the probability of KEEPING an activation, not of dropping it.
                .addLayer(DROPOUT, new DropoutLayer.Builder(new Dropout(1.0 - config.dropoutRate())).build(), DENSE)
                .addLayer(
                        OUTPUT,
                        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nOut(classes)
                                .activation(Activation.SOFTMAX)
                                .weightInit(WeightInit.XAVIER)
                                .build(),
                        DROPOUT)
                .setOutputs(OUTPUT)
                .build();
        ComputationGraph network = new ComputationGraph(configuration);
        network.init();
        return network;
    }

    private static SubsamplingLayer maxPool(int size) {
        return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(size, size)
                .stride(size, size)
                .build();
    }
}
