package io.imgstream.model.base;

import io.imgstream.model.preprocess.Preprocessing;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What every loaded base network holds: its id, how it wants images prepared, its graph, the layer its features
 * come from and their shape. Subclasses say how the graph is built or imported.
 *
 * <p>Immutable; the graph itself is not thread-safe.
 */
public abstract class AbstractBaseNetwork implements BaseNetwork {

    private final BaseModelId id;
    private final Preprocessing preprocessing;
    private final ComputationGraph graph;
    private final String bottleneckLayer;
    private final long[] featureShape;

    /**
     * @param id              name and weights hash
     * @param preprocessing   how images must be prepared for it
     * @param graph           the network; its single output is the bottleneck
     * @param bottleneckLayer the layer or vertex whose activations are the features
     * @param featureShape    one image's feature shape, channels first
     */
    protected AbstractBaseNetwork(
            BaseModelId id,
            Preprocessing preprocessing,
            ComputationGraph graph,
            String bottleneckLayer,
            long[] featureShape) {
        this.id = Objects.requireNonNull(id, "id");
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        this.graph = Objects.requireNonNull(graph, "graph");
        this.bottleneckLayer = Objects.requireNonNull(bottleneckLayer, "bottleneckLayer");
        this.featureShape = featureShape.clone();
    }

    @Override
    public final BaseModelId id() {
        return id;
    }

    @Override
    public final Preprocessing preprocessing() {
        return preprocessing;
    }

    @Override
    public final ComputationGraph graph() {
        return graph;
    }

    @Override
    public final String bottleneckLayer() {
        return bottleneckLayer;
    }

    @Override
    public final long[] featureShape() {
        return featureShape.clone();
    }
}
