package io.imgstream.model.head;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Starts a new head from a trained one: the hidden dense layer is copied when its shape matches, and the
 * output units of every class the two heads share are copied by class name, so a head that gains a class
 * keeps what it knew about the others and only the new class's units start from scratch.
 *
 * <p>A two-class head has one sigmoid unit and a larger one a softmax unit per class; between the two kinds
 * the output layer can't be carried over and starts fresh (the dense layer still carries).
 */
public final class HeadWarmStart {

    private HeadWarmStart() {}

    /**
     * What was carried over.
     *
     * @param dense          whether the hidden dense layer was copied
     * @param carriedClasses classes whose output units were copied
     */
    public record Carried(boolean dense, int carriedClasses) {}

    /**
     * Copies weights from a trained network into a freshly built head.
     *
     * @param from        a head from {@link HeadBuilder}, or a whole network that contains one (a model bundle's)
     * @param fromClasses class labels of {@code from}'s outputs, in order
     * @param to          a head from {@link HeadBuilder}; changed in place
     * @param toClasses   class labels of {@code to}'s outputs, in order
     * @return what was copied
     */
    public static Carried copy(
            ComputationGraph from, List<String> fromClasses, ComputationGraph to, List<String> toClasses) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Layer fromDense = layer(from, HeadBuilder.DENSE);
        Layer toDense = layer(to, HeadBuilder.DENSE);
        boolean dense = fromDense != null && toDense != null && sameShapes(fromDense, toDense);
        if (!dense) {
            return new Carried(false, 0);
        }
        toDense.setParams(fromDense.params().dup());
        // The dense weights were learnt on standardised features: they need the statistics they were learnt on.
        Layer fromNormalization = layer(from, HeadBuilder.NORMALIZATION);
        Layer toNormalization = layer(to, HeadBuilder.NORMALIZATION);
        if (fromNormalization != null && toNormalization != null && sameShapes(fromNormalization, toNormalization)) {
            toNormalization.setParams(fromNormalization.params().dup());
        }
        Layer fromOutput = layer(from, HeadBuilder.OUTPUT);
        Layer toOutput = layer(to, HeadBuilder.OUTPUT);
        if (fromOutput == null || toOutput == null) {
            return new Carried(true, 0);
        }
        INDArray fromWeights = fromOutput.getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray toWeights = toOutput.getParam(DefaultParamInitializer.WEIGHT_KEY);
        boolean softmaxBoth = fromWeights.size(1) == fromClasses.size()
                && toWeights.size(1) == toClasses.size()
                && fromClasses.size() > 2
                && toClasses.size() > 2;
        if (fromWeights.size(0) != toWeights.size(0)) {
            return new Carried(true, 0);
        }
        if (!softmaxBoth) {
            if (fromClasses.equals(toClasses)) {
                toOutput.setParams(fromOutput.params().dup());
                return new Carried(true, toClasses.size());
            }
            return new Carried(true, 0);
        }
        INDArray fromBias = fromOutput.getParam(DefaultParamInitializer.BIAS_KEY);
        INDArray toBias = toOutput.getParam(DefaultParamInitializer.BIAS_KEY);
        int carried = 0;
        for (int c = 0; c < toClasses.size(); c++) {
            int old = fromClasses.indexOf(toClasses.get(c));
            if (old < 0) {
                continue;
            }
            toWeights
                    .get(NDArrayIndex.all(), NDArrayIndex.point(c))
                    .assign(fromWeights.get(NDArrayIndex.all(), NDArrayIndex.point(old)));
            // Biases are [nOut] or [1, nOut] depending on the layer's history; the linear index fits both.
            toBias.putScalar(c, fromBias.getDouble(old));
            carried++;
        }
        return new Carried(true, carried);
    }

    private static Layer layer(ComputationGraph graph, String name) {
        return graph.getConfiguration().getVertices().containsKey(name) ? graph.getLayer(name) : null;
    }

    private static boolean sameShapes(Layer a, Layer b) {
        return a.paramTable().keySet().equals(b.paramTable().keySet())
                && a.paramTable().entrySet().stream()
                        .allMatch(e -> Arrays.equals(
                                e.getValue().shape(),
                                b.paramTable().get(e.getKey()).shape()));
    }
}
