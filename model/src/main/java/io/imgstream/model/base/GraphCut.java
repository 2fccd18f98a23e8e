package io.imgstream.model.base;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;

/** Cuts a network at a layer: what turns a trained or imported network into a base whose output is its features. */
public final class GraphCut {

    private GraphCut() {}

    /**
     * A copy of {@code network} that ends at {@code layer}: every vertex the layer does not depend on is removed.
     * The network itself is not changed.
     *
     * @param network a network with the layer
     * @param layer   the layer or vertex whose activations become the output
     * @throws IllegalArgumentException if the network has no such layer or vertex
     */
    public static ComputationGraph at(ComputationGraph network, String layer) {
        ComputationGraphConfiguration configuration = network.getConfiguration();
        if (!configuration.getVertices().containsKey(layer)) {
            throw new IllegalArgumentException("the network has no layer or vertex '" + layer + "'; it has "
                    + configuration.getVertices().keySet());
        }
        Set<String> needed = ancestorsOf(configuration, layer);
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(network);
        configuration.getVertices().keySet().stream()
                .filter(v -> !needed.contains(v))
                .sorted()
                .forEach(builder::removeVertexAndConnections);
        return MergeAxes.restore(network, builder.setOutputs(layer).build());
    }

    private static Set<String> ancestorsOf(ComputationGraphConfiguration configuration, String vertex) {
        Set<String> seen = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(vertex));
        while (!pending.isEmpty()) {
            String current = pending.pop();
            if (seen.add(current)) {
                pending.addAll(configuration.getVertexInputs().getOrDefault(current, List.of()));
            }
        }
        return seen;
    }
}
