package io.imgstream.model.head;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class HeadWarmStartTest {

    private static final HeadConfig CONFIG = HeadConfig.defaults().withLearningRate(1e-3);

    @Test
    void shouldCopyTheDenseLayerAndTheOutputUnitsOfSharedClassesByName() {
        ComputationGraph trained = HeadBuilder.build(SyntheticFeatures.SHAPE, 3, CONFIG, 1);
        ComputationGraph grown = HeadBuilder.build(SyntheticFeatures.SHAPE, 4, CONFIG, 2);
        List<String> before = List.of("cat", "dog", "fox");
        List<String> after = List.of("dog", "cat", "fox", "owl");
        INDArray freshOwl =
                weights(grown).get(NDArrayIndex.all(), NDArrayIndex.point(3)).dup();

        HeadWarmStart.Carried carried = HeadWarmStart.copy(trained, before, grown, after);

        assertThat(carried).isEqualTo(new HeadWarmStart.Carried(true, 3));
        assertThat(grown.getLayer(HeadBuilder.DENSE).params())
                .isEqualTo(trained.getLayer(HeadBuilder.DENSE).params());
        assertThat(column(grown, 0)).as("dog").isEqualTo(column(trained, 1));
        assertThat(column(grown, 1)).as("cat").isEqualTo(column(trained, 0));
        assertThat(column(grown, 2)).as("fox").isEqualTo(column(trained, 2));
        assertThat(column(grown, 3)).as("owl keeps its fresh weights").isEqualTo(freshOwl);
        assertThat(bias(grown, 0)).isEqualTo(bias(trained, 1));
    }

    @Test
    void shouldCarryTheFeatureStatisticsTheDenseLayerWasTrainedOn() {
        HeadConfig normalized = CONFIG.withNormalized(true);
        ComputationGraph trained = HeadBuilder.build(SyntheticFeatures.SHAPE, 3, normalized, 1);
        trained.getLayer(HeadBuilder.NORMALIZATION).setParams(Nd4j.rand(DataType.FLOAT, 1, 4 * 16));
        ComputationGraph next = HeadBuilder.build(SyntheticFeatures.SHAPE, 3, normalized, 2);
        List<String> classes = List.of("a", "b", "c");

        HeadWarmStart.copy(trained, classes, next, classes);

        assertThat(next.getLayer(HeadBuilder.NORMALIZATION).params())
                .isEqualTo(trained.getLayer(HeadBuilder.NORMALIZATION).params());
    }

    @Test
    void shouldLeaveTheOutputFreshBetweenSigmoidAndSoftmaxHeads() {
        ComputationGraph binary = HeadBuilder.build(SyntheticFeatures.SHAPE, 2, CONFIG, 1);
        ComputationGraph multi = HeadBuilder.build(SyntheticFeatures.SHAPE, 3, CONFIG, 2);
        INDArray freshOutput = multi.getLayer(HeadBuilder.OUTPUT).params().dup();

        HeadWarmStart.Carried carried = HeadWarmStart.copy(binary, List.of("a", "b"), multi, List.of("a", "b", "c"));

        assertThat(carried).isEqualTo(new HeadWarmStart.Carried(true, 0));
        assertThat(multi.getLayer(HeadBuilder.OUTPUT).params()).isEqualTo(freshOutput);
    }

    @Test
    void shouldCopyNothingWhenTheDenseLayersDiffer() {
        ComputationGraph wide = HeadBuilder.build(SyntheticFeatures.SHAPE, 3, CONFIG, 1);
        ComputationGraph narrow = HeadBuilder.build(
                SyntheticFeatures.SHAPE,
                3,
                new HeadConfig(
                        CONFIG.pooling(), 32, CONFIG.dropoutRate(), CONFIG.learningRate(), CONFIG.rmsDecay(), false),
                2);
        INDArray fresh = narrow.params().dup();

        assertThat(HeadWarmStart.copy(wide, List.of("a", "b", "c"), narrow, List.of("a", "b", "c")))
                .isEqualTo(new HeadWarmStart.Carried(false, 0));
        assertThat(narrow.params()).isEqualTo(fresh);
    }

    private static INDArray weights(ComputationGraph head) {
        return head.getLayer(HeadBuilder.OUTPUT).getParam(DefaultParamInitializer.WEIGHT_KEY);
    }

    private static INDArray column(ComputationGraph head, int unit) {
        return weights(head).get(NDArrayIndex.all(), NDArrayIndex.point(unit)).dup();
    }

    private static double bias(ComputationGraph head, int unit) {
        return head.getLayer(HeadBuilder.OUTPUT)
                .getParam(DefaultParamInitializer.BIAS_KEY)
                .getDouble(unit);
    }
}
