package io.imgstream.model.head;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds a classifier head over the bottleneck features of one or more bases: per base input
 * {@code features_i}, a {@code flatten_i} or {@code pool_i} reduction (see {@link HeadPooling}); with
 * several bases a {@value #MERGE} concatenation; if {@link HeadConfig#normalized()}, {@value #NORMALIZATION}; then
 * {@value #DENSE} (ReLU) → {@value #DROPOUT} →
 * {@value #OUTPUT} (softmax with cross-entropy, or one sigmoid unit with binary cross-entropy for two
 * classes, see {@link ClassOutputs}); a {@linkplain HeadConfig#isLinear() linear} head has no {@value #DENSE} and
 * {@value #DROPOUT}. The optimiser is RMSprop per {@link HeadConfig}.
 *
 * <p>Inputs take each example's features in its base's shape, e.g. {@code [n, 512, 4, 4]}; a
 * one-dimensional feature shape is already a vector and only works with {@link HeadPooling#FLATTEN}.
 *
 * <p>Stateless and thread-safe; each call returns a new, initialised network.
 */
public final class HeadBuilder {

    /** Prefix of the per-base input names: {@code features_0}, {@code features_1}, ... */
    public static final String INPUT_PREFIX = "features_";
    /** Prefix of the per-base flatten vertices ({@link HeadPooling#FLATTEN}). */
    public static final String FLATTEN_PREFIX = "flatten_";
    /** Prefix of the per-base pooling layers ({@link HeadPooling#GLOBAL_AVERAGE}, {@link HeadPooling#GRID_AVERAGE}). */
    public static final String POOL_PREFIX = "pool_";
    /** Name of the vertex concatenating several bases' vectors. */
    public static final String MERGE = "merge";
    /** Name of the batch normalisation before the dense layer ({@link HeadConfig#normalized()}). */
    public static final String NORMALIZATION = "head_normalization";
    /** Name of the hidden dense layer. */
    public static final String DENSE = "head_dense";
    /** Name of the dropout layer. */
    public static final String DROPOUT = "head_dropout";
    /** Name of the output layer. */
    public static final String OUTPUT = "head_output";

    private static final int CNN_RANK = 3;

    private HeadBuilder() {}

    /**
     * Returns the name of a base's input.
     *
     * @param base the base's position, from 0
     * @return {@code features_<base>}
     */
    public static String inputName(int base) {
        return INPUT_PREFIX + base;
    }

    /**
     * Builds a head.
     *
     * @param featureShapes per base, the shape of one image's features: {@code [c, h, w]} or {@code [length]}
     * @param classes       number of classes, at least 2
     * @param config        architecture and optimiser
     * @param seed          weight initialisation seed; the same seed gives the same initial weights
     * @return a new, initialised head
     * @throws IllegalArgumentException if there is no shape, a shape is neither rank 1 nor 3, average pooling meets a
     *                                  rank-1 shape, or grid pooling a map smaller than its grid
     */
    public static ComputationGraph build(List<long[]> featureShapes, int classes, HeadConfig config, long seed) {
        Objects.requireNonNull(featureShapes, "featureShapes");
        Objects.requireNonNull(config, "config");
        if (featureShapes.isEmpty()) {
            throw new IllegalArgumentException("a head needs the feature shape of at least one base");
        }
        int units = ClassOutputs.units(classes);
        ComputationGraphConfiguration.GraphBuilder graph = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new RmsProp(config.learningRate(), config.rmsDecay(), RmsProp.DEFAULT_RMSPROP_EPSILON))
                .weightInit(WeightInit.XAVIER)
                .graphBuilder();
        List<String> vectors = new ArrayList<>();
        InputType[] inputTypes = new InputType[featureShapes.size()];
        for (int b = 0; b < featureShapes.size(); b++) {
            long[] shape = featureShapes.get(b);
            String input = inputName(b);
            graph.addInputs(input);
            if (shape.length == 1) {
                if (config.pooling() != HeadPooling.FLATTEN) {
                    throw new IllegalArgumentException(config.pooling() + " pooling needs [c, h, w] features; base " + b
                            + " has shape " + Arrays.toString(shape));
                }
                inputTypes[b] = InputType.feedForward(shape[0]);
                vectors.add(input);
            } else if (shape.length == CNN_RANK) {
                inputTypes[b] = InputType.convolutional(shape[1], shape[2], shape[0]);
                if (config.pooling() == HeadPooling.FLATTEN) {
                    graph.addVertex(
                            FLATTEN_PREFIX + b,
                            new PreprocessorVertex(new CnnToFeedForwardPreProcessor(shape[1], shape[2], shape[0])),
                            input);
                    vectors.add(FLATTEN_PREFIX + b);
                } else if (config.pooling() == HeadPooling.GLOBAL_AVERAGE) {
                    graph.addLayer(POOL_PREFIX + b, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), input);
                    vectors.add(POOL_PREFIX + b);
                } else {
                    graph.addLayer(POOL_PREFIX + b, gridPooling(shape, b), input);
                    graph.addVertex(
                            FLATTEN_PREFIX + b,
                            new PreprocessorVertex(
                                    new CnnToFeedForwardPreProcessor(HeadPooling.GRID, HeadPooling.GRID, shape[0])),
                            POOL_PREFIX + b);
                    vectors.add(FLATTEN_PREFIX + b);
                }
            } else {
                throw new IllegalArgumentException(
                        "features must have shape [c, h, w] or [length]; base " + b + " has " + Arrays.toString(shape));
            }
        }
        String denseInput = vectors.get(0);
        if (vectors.size() > 1) {
            graph.addVertex(MERGE, new MergeVertex(), vectors.toArray(String[]::new));
            denseInput = MERGE;
        }
        if (config.normalized()) {
            graph.addLayer(NORMALIZATION, new BatchNormalization.Builder().build(), denseInput);
            denseInput = NORMALIZATION;
        }
        graph.setInputTypes(inputTypes);
        String outputInput = denseInput;
        if (!config.isLinear()) {
            graph.addLayer(
                            DENSE,
                            new DenseLayer.Builder()
                                    .nOut(config.hiddenUnits())
                                    .activation(Activation.RELU)
                                    .weightInit(WeightInit.RELU)
                                    .build(),
                            denseInput)
                    // DL4J's Dropout takes the probability of KEEPING an activation, not of dropping it.
                    .addLayer(
                            DROPOUT, new DropoutLayer.Builder(new Dropout(1.0 - config.dropoutRate())).build(), DENSE);
            outputInput = DROPOUT;
        }
        graph.addLayer(
                        OUTPUT,
                        units == 1
                                ? new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                                        .nOut(1)
                                        .activation(Activation.SIGMOID)
                                        .build()
                                : new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                        .nOut(units)
                                        .activation(Activation.SOFTMAX)
                                        .build(),
                        outputInput)
                .setOutputs(OUTPUT);
        ComputationGraph head = new ComputationGraph(graph.build());
        head.init();
        return head;
    }

    /**
     * Name of the vertex whose activations are the vector the head's first trained layer reads: the pooled (and
     * merged, and normalised) features.
     *
     * @param head a head from {@link #build}
     */
    public static String vectorVertex(ComputationGraph head) {
        String first = head.getConfiguration().getVertices().containsKey(DENSE) ? DENSE : OUTPUT;
        return head.getConfiguration().getVertexInputs().get(first).get(0);
    }

    // Kernel ceil(n/2) at stride n - ceil(n/2) gives two cells per side for any n >= 2: 14 -> 7 at 7, 7 -> 4 at 3.
    private static SubsamplingLayer gridPooling(long[] shape, int base) {
        if (shape[1] < HeadPooling.GRID || shape[2] < HeadPooling.GRID) {
            throw new IllegalArgumentException("grid pooling needs feature maps of at least " + HeadPooling.GRID + "x"
                    + HeadPooling.GRID + "; base " + base + " has shape " + Arrays.toString(shape));
        }
        int height = Math.toIntExact(shape[1]);
        int width = Math.toIntExact(shape[2]);
        int kernelHeight = (height + 1) / 2;
        int kernelWidth = (width + 1) / 2;
        return new SubsamplingLayer.Builder(PoolingType.AVG)
                .kernelSize(kernelHeight, kernelWidth)
                .stride(height - kernelHeight, width - kernelWidth)
                .build();
    }

    /**
     * Builds a head over one base.
     *
     * @param featureShape the shape of one image's features
     * @param classes      number of classes, at least 2
     * @param config       architecture and optimiser
     * @param seed         weight initialisation seed
     * @return a new, initialised head
     */
    public static ComputationGraph build(long[] featureShape, int classes, HeadConfig config, long seed) {
        return build(List.of(featureShape), classes, config, seed);
    }
}
