package io.imgstream.model.training;

import io.imgstream.model.base.MergeAxes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A channels-last base (imported from Keras or TF.js) made to take and give channels-first arrays, as everything
 * downstream of it does: a bundle's scorer feeds NCHW batches, and a head flattens features in NCHW order. Two
 * permutes are added, one between a new NCHW input and the base's own input, one after the bottleneck; the base's
 * layers and weights stay as they are.
 */
final class ChannelsFirstGraph {

    /** The new channels-first input. */
    static final String INPUT = "input_nchw";

    private static final String TO_CHANNELS_LAST = "input_nchw_to_nhwc";
    private static final String FEATURES_SUFFIX = "_nchw";

    private ChannelsFirstGraph() {}

    /** The vertex that gives the bottleneck's activations channels first. */
    static String features(String bottleneck) {
        return bottleneck + FEATURES_SUFFIX;
    }

    /**
     * A new graph: NCHW input → the base → the bottleneck's activations as NCHW in {@link #features}.
     *
     * @param channelsLast a single-input channels-last graph; not changed
     * @param bottleneck   the vertex whose activations are the features
     */
    static ComputationGraph of(ComputationGraph channelsLast, String bottleneck) {
        ComputationGraphConfiguration configuration =
                channelsLast.getConfiguration().clone();
        String oldInput = configuration.getNetworkInputs().get(0);
        String features = features(bottleneck);
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        vertices.put(TO_CHANNELS_LAST, new PreprocessorVertex(new ChannelOrder(true)));
        vertices.putAll(configuration.getVertices());
        vertices.put(features, new PreprocessorVertex(new ChannelOrder(false)));
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        inputs.put(TO_CHANNELS_LAST, List.of(INPUT));
        configuration
                .getVertexInputs()
                .forEach((vertex, from) -> inputs.put(
                        vertex,
                        from.stream()
                                .map(input -> input.equals(oldInput) ? TO_CHANNELS_LAST : input)
                                .toList()));
        inputs.put(features, List.of(bottleneck));
        configuration.setVertices(vertices);
        configuration.setVertexInputs(inputs);
        configuration.setNetworkInputs(List.of(INPUT));
        configuration.setNetworkOutputs(List.of(features));
        // The order DL4J cached for the old graph would skip the new vertices.
        configuration.setTopologicalOrder(null);
        configuration.setTopologicalOrderStr(null);
        ComputationGraph graph = new ComputationGraph(configuration);
        graph.init();
        for (Layer layer : channelsLast.getLayers()) {
            if (layer.numParams() > 0) {
                graph.getLayer(layer.conf().getLayer().getLayerName())
                        .setParams(layer.params().dup());
            }
        }
        return MergeAxes.restore(channelsLast, graph);
    }
}
