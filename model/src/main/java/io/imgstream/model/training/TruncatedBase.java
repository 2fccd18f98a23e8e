package io.imgstream.model.training;

import io.imgstream.model.base.AbstractBaseNetwork;
import io.imgstream.model.base.BaseModelId;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.preprocess.Preprocessing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
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
        ComputationGraphConfiguration configuration = network.getConfiguration();
        if (!configuration.getVertices().containsKey(bottleneckLayer)) {
            throw new IllegalArgumentException("the network has no layer or vertex '" + bottleneckLayer + "'; it has "
                    + configuration.getVertices().keySet());
        }
        Set<String> needed = ancestorsOf(configuration, bottleneckLayer);
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(network);
        List<String> unneeded = configuration.getVertices().keySet().stream()
                .filter(v -> !needed.contains(v))
                .sorted()
                .toList();
        for (String vertex : unneeded) {
            builder.removeVertexAndConnections(vertex);
        }
        ComputationGraph cut = builder.setOutputs(bottleneckLayer).build();
        INDArray probe = Nd4j.zeros(DataType.FLOAT, preprocessing.batchShape(1));
        long[] outputShape = cut.outputSingle(false, probe).shape();
        long[] featureShape = Arrays.copyOfRange(outputShape, 1, outputShape.length);
        return new TruncatedBase(
                new BaseModelId(name, sha256(cut.params())), preprocessing, cut, bottleneckLayer, featureShape);
    }

    @Override
    public String toString() {
        return "TruncatedBase[" + id() + " at " + bottleneckLayer() + ", features " + Arrays.toString(featureShape())
                + "]";
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

    private static String sha256(INDArray params) {
        float[] values = params.castTo(DataType.FLOAT).toFloatVector();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
