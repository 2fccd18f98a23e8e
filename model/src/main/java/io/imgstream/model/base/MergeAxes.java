package io.imgstream.model.base;

import java.util.Map;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Keeps the axis of concatenations when a graph is copied. DL4J (1.0.0-M2.1) loses it: a cloned {@link MergeVertex}
 * concatenates along axis 1 again, so every copy of a channels-last network with concatenations (an imported
 * InceptionV3's {@code mixed} blocks concatenate along axis 3) made by {@code ComputationGraphConfiguration.clone()}
 * or {@code TransferLearning.GraphBuilder} fails at its first concatenation. Every copy of a base goes through
 * {@link #restore}.
 */
public final class MergeAxes {

    private MergeAxes() {}

    /**
     * A graph whose concatenations take the axis of the source's vertices of the same name: {@code copy} itself if
     * none differs, else a new graph of the corrected configuration with {@code copy}'s parameters.
     *
     * @param source the graph copied, with the right axes
     * @param copy   the copy, initialised
     */
    public static ComputationGraph restore(ComputationGraph source, ComputationGraph copy) {
        return restore(source.getConfiguration(), copy, UnaryOperator.identity());
    }

    /**
     * As {@link #restore(ComputationGraph, ComputationGraph)}, for a copy whose vertices were renamed.
     *
     * @param source the configuration copied
     * @param copy   the copy, initialised
     * @param rename a source vertex's name in the copy
     */
    public static ComputationGraph restore(
            ComputationGraphConfiguration source, ComputationGraph copy, UnaryOperator<String> rename) {
        ComputationGraphConfiguration configuration = copy.getConfiguration();
        Map<String, GraphVertex> copied = configuration.getVertices();
        boolean changed = false;
        for (Map.Entry<String, GraphVertex> vertex : source.getVertices().entrySet()) {
            if (unwrapped(vertex.getValue()) instanceof MergeVertex merge
                    && unwrapped(copied.get(rename.apply(vertex.getKey()))) instanceof MergeVertex copiedMerge
                    && copiedMerge.getMergeAxis() != merge.getMergeAxis()) {
                copiedMerge.setMergeAxis(merge.getMergeAxis());
                changed = true;
            }
        }
        if (!changed) {
            return copy;
        }
        ComputationGraph corrected = new ComputationGraph(configuration);
        corrected.init(copy.params(), true);
        return corrected;
    }

    // A frozen copy wraps each vertex it freezes.
    private static GraphVertex unwrapped(GraphVertex vertex) {
        return vertex instanceof FrozenVertex frozen ? unwrapped(frozen.getUnderlying()) : vertex;
    }
}
