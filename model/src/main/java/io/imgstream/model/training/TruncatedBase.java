package io.imgstream.model.training;

import io.imgstream.model.base.AbstractBaseNetwork;
import io.imgstream.model.base.BaseModelId;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.GraphCut;
import io.imgstream.model.preprocess.Preprocessing;
import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link BaseNetwork} cut from a network trained here, e.g. the convolutional layers of a {@link
 * SmallCnn}: every vertex the bottleneck layer does not depend on is removed, and the bottleneck
 * becomes the only output. Its id is the given name plus the sha256 of its parameters, so two cuts
 * with equal weights share cached features.
 *
 * <p>The weights hash is taken over the parameters flattened as DL4J stores them ({@link
 * ComputationGraph#params()}), each a little-endian float32.
 *
 * <p>Immutable; the graph itself is not thread-safe.
 */
public final class TruncatedBase extends AbstractBaseNetwork {

    private TruncatedBase(
            BaseModelId id,
            Preprocessing preprocessing,
            ComputationGraph graph,
            String bottleneckLayer,
            long[] featureShape) {
        super(id, preprocessing, graph, bottleneckLayer, featureShape);
    }

    /**
     * Cuts a network at a layer. The network is not changed; the base holds a copy of the weights.
     *
     * @param network         a single-input network
     * @param bottleneckLayer the layer or vertex whose activations become the features
     * @param name            base name for the id, lowercase, e.g. {@code small-cnn-conv}
     * @param preprocessing   what the network expects as input
     * @return the base
     * @throws IllegalArgumentException if the network has no such vertex, or the name is not a valid base name
     */
    public static TruncatedBase of(
            ComputationGraph network, String bottleneckLayer, String name, Preprocessing preprocessing) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(preprocessing, "preprocessing");
        ComputationGraph cut = GraphCut.at(network, bottleneckLayer);
        INDArray probe = Nd4j.zeros(DataType.FLOAT, preprocessing.batchShape(1));
        long[] outputShape = cut.outputSingle(false, probe).shape();
        long[] featureShape = Arrays.copyOfRange(outputShape, 1, outputShape.length);
        return new TruncatedBase(
                BaseModelId.ofParameters(name, cut.params()), preprocessing, cut, bottleneckLayer, featureShape);
    }

    @Override
    public String toString() {
        return "TruncatedBase[" + id() + " at " + bottleneckLayer() + ", features " + Arrays.toString(featureShape())
                + "]";
    }
}
