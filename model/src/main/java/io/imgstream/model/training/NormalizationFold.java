package io.imgstream.model.training;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A batch normalisation folded into the convolution that feeds it: {@code y = gamma (conv(x) + b - mean) / std +
 * beta} is {@code conv'(x) + b'} with each output channel's weights scaled by {@code gamma / std} and
 * {@code b' = (b - mean) gamma / std + beta}. What the network computes at inference stays the same (to float
 * rounding); in training the normalisation no longer follows the batch, and its statistics can't drift.
 *
 * <p>Folds a plain or depthwise convolution with no activation of its own whose only consumer is the
 * normalisation, as in MobileNet, Inception, ResNet and Xception. DL4J's convolution weights are {@code [out, in,
 * kH, kW]} and depthwise ones {@code [kH, kW, in, multiplier]}, with output channel {@code in * multiplier + m}, in
 * channels-first and channels-last layers alike.
 *
 * @param convolution       the convolution's vertex
 * @param normalization     the normalisation's vertex, which becomes an identity
 * @param convolutionInputs the convolution's inputs
 * @param convolutionLayer  the convolution's configuration in the base
 * @param preProcessor      the convolution vertex's input preprocessor, or null
 */
record NormalizationFold(
        String convolution,
        String normalization,
        String[] convolutionInputs,
        ConvolutionLayer convolutionLayer,
        InputPreProcessor preProcessor) {

    /**
     * The normalisations after {@code boundary} (every one when it is null) that can be folded.
     *
     * @param graph    the base
     * @param boundary the last frozen layer, or null
     */
    static List<NormalizationFold> trainable(ComputationGraph graph, String boundary) {
        ComputationGraphConfiguration configuration = graph.getConfiguration();
        Map<String, Integer> consumers = new HashMap<>();
        configuration
                .getVertexInputs()
                .values()
                .forEach(inputs -> inputs.forEach(i -> consumers.merge(i, 1, Integer::sum)));
        configuration.getNetworkOutputs().forEach(o -> consumers.merge(o, 1, Integer::sum));
        Set<String> trainable = new HashSet<>(verticesAfter(graph, boundary));
        List<NormalizationFold> folds = new ArrayList<>();
        for (String name : trainableNormalizations(graph, boundary)) {
            List<String> inputs = configuration.getVertexInputs().get(name);
            String source = inputs.size() == 1 ? inputs.get(0) : null;
            if (source != null
                    && trainable.contains(source)
                    && foldable(layer(configuration, source))
                    && consumers.getOrDefault(source, 0) == 1) {
                LayerVertex convolutionVertex =
                        (LayerVertex) configuration.getVertices().get(source);
                folds.add(new NormalizationFold(
                        source,
                        name,
                        configuration.getVertexInputs().get(source).toArray(String[]::new),
                        (ConvolutionLayer) convolutionVertex.getLayerConf().getLayer(),
                        convolutionVertex.getPreProcessor()));
            }
        }
        return folds;
    }

    /**
     * The batch normalisations after {@code boundary} (every one when it is null), folded or not.
     *
     * @param graph    the base
     * @param boundary the last frozen layer, or null
     */
    static List<String> trainableNormalizations(ComputationGraph graph, String boundary) {
        ComputationGraphConfiguration configuration = graph.getConfiguration();
        return verticesAfter(graph, boundary).stream()
                .filter(name -> layer(configuration, name) instanceof BatchNormalization)
                .toList();
    }

    /** The vertices after {@code boundary} in topological order; all of them when it is null. */
    private static List<String> verticesAfter(ComputationGraph graph, String boundary) {
        List<String> after = new ArrayList<>();
        boolean past = boundary == null;
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (past) {
                after.add(name);
            }
            past |= name.equals(boundary);
        }
        return after;
    }

    /** A copy of the convolution's configuration with a bias, which carries the normalisation's shift. */
    ConvolutionLayer biasedConvolution() {
        ConvolutionLayer copy = (ConvolutionLayer) convolutionLayer.clone();
        copy.setHasBias(true);
        return copy;
    }

    /**
     * Writes the folded weights and bias into the convolution of {@code combined}, from the convolution and the
     * normalisation of {@code base}.
     */
    void writeFolded(ComputationGraph base, ComputationGraph combined) {
        Layer source = base.getLayer(convolution);
        Layer statistics = base.getLayer(normalization);
        BatchNormalization settings = (BatchNormalization) statistics.conf().getLayer();
        INDArray mean = statistics
                .getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN)
                .reshape(-1);
        // DL4J keeps either the variance or, by default, log10 of the standard deviation (eps already in it).
        INDArray std = settings.isUseLogStd()
                ? Transforms.pow(
                        Nd4j.valueArrayOf(mean.shape(), 10.0, mean.dataType()),
                        statistics
                                .getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)
                                .reshape(-1),
                        true)
                : Transforms.sqrt(
                        statistics
                                .getParam(BatchNormalizationParamInitializer.GLOBAL_VAR)
                                .reshape(-1)
                                .add(settings.getEps()),
                        true);
        long channels = mean.length();
        INDArray gamma = settings.isLockGammaBeta()
                ? Nd4j.valueArrayOf(new long[] {channels}, settings.getGamma(), mean.dataType())
                : statistics.getParam(BatchNormalizationParamInitializer.GAMMA).reshape(-1);
        INDArray beta = settings.isLockGammaBeta()
                ? Nd4j.valueArrayOf(new long[] {channels}, settings.getBeta(), mean.dataType())
                : statistics.getParam(BatchNormalizationParamInitializer.BETA).reshape(-1);
        INDArray scale = gamma.div(std);
        INDArray weights = source.getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray folded = convolutionLayer instanceof DepthwiseConvolution2D
                ? weights.mul(scale.reshape(1, 1, weights.size(2), weights.size(3)))
                : weights.mul(scale.reshape(channels, 1, 1, 1));
        INDArray bias = convolutionLayer.hasBias()
                ? source.getParam(ConvolutionParamInitializer.BIAS_KEY).reshape(-1)
                : Nd4j.zeros(mean.dataType(), channels);
        INDArray shift = bias.sub(mean).muli(scale).addi(beta);
        Layer target = combined.getLayer(convolution);
        target.setParam(ConvolutionParamInitializer.WEIGHT_KEY, folded);
        target.setParam(
                ConvolutionParamInitializer.BIAS_KEY,
                shift.reshape(
                        target.getParam(ConvolutionParamInitializer.BIAS_KEY).shape()));
    }

    private static boolean foldable(org.deeplearning4j.nn.conf.layers.Layer layer) {
        return (layer.getClass() == ConvolutionLayer.class || layer.getClass() == DepthwiseConvolution2D.class)
                && ((ConvolutionLayer) layer).getActivationFn() instanceof ActivationIdentity;
    }

    private static org.deeplearning4j.nn.conf.layers.Layer layer(
            ComputationGraphConfiguration configuration, String name) {
        GraphVertex vertex = configuration.getVertices().get(name);
        return vertex instanceof LayerVertex layerVertex
                ? layerVertex.getLayerConf().getLayer()
                : null;
    }
}
