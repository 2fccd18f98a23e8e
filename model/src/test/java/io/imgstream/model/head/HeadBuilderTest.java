package io.imgstream.model.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HeadBuilderTest {

    private static long denseInputs(ComputationGraph head) {
        return ((DenseLayer) head.getLayer(HeadBuilder.DENSE).conf().getLayer()).getNIn();
    }

    @Test
    void shouldFlattenIntoTheSeedsDenseDropoutSoftmaxHead() {
        ComputationGraph head = HeadBuilder.build(new long[] {512, 4, 4}, 5, HeadConfig.defaults(), 1);

        assertThat(denseInputs(head)).isEqualTo(512 * 4 * 4);
        assertThat(((DenseLayer) head.getLayer(HeadBuilder.DENSE).conf().getLayer()).getNOut())
                .isEqualTo(256);
        assertThat(head.getLayer(HeadBuilder.DROPOUT)).isNotNull();
        OutputLayer output =
                (OutputLayer) head.getLayer(HeadBuilder.OUTPUT).conf().getLayer();
        assertThat(output.getNOut()).isEqualTo(5);
        assertThat(output.getActivationFn()).isInstanceOf(ActivationSoftmax.class);
        assertThat(head.outputSingle(false, Nd4j.rand(3, 512, 4, 4)).shape()).containsExactly(3, 5);
    }

    @Test
    void shouldUseOneSigmoidUnitForTwoClasses() {
        ComputationGraph head = HeadBuilder.build(new long[] {8, 2, 2}, 2, HeadConfig.defaults(), 1);

        OutputLayer output =
                (OutputLayer) head.getLayer(HeadBuilder.OUTPUT).conf().getLayer();
        assertThat(output.getNOut()).isEqualTo(1);
        assertThat(output.getActivationFn()).isInstanceOf(ActivationSigmoid.class);
    }

    @Test
    void shouldAverageEachChannelWithGlobalAveragePooling() {
        ComputationGraph head = HeadBuilder.build(
                new long[] {512, 7, 7}, 3, HeadConfig.defaults().withPooling(HeadPooling.GLOBAL_AVERAGE), 1);

        assertThat(denseInputs(head)).isEqualTo(512);
        assertThat(head.getLayer(HeadBuilder.POOL_PREFIX + 0)).isNotNull();
    }

    @Test
    void shouldAverageEachChannelOverATwoByTwoGridWithGridPooling() {
        ComputationGraph head = HeadBuilder.build(
                new long[] {2, 4, 4}, 3, HeadConfig.defaults().withPooling(HeadPooling.GRID_AVERAGE), 1);
        // Channel 0 counts 0..15 row by row; channel 1 is all ones.
        INDArray features = Nd4j.concat(
                1, Nd4j.arange(16).castTo(DataType.FLOAT).reshape(1, 1, 4, 4), Nd4j.ones(DataType.FLOAT, 1, 1, 4, 4));

        INDArray vector = head.feedForward(features, false).get(HeadBuilder.vectorVertex(head));

        assertThat(denseInputs(head)).isEqualTo(2 * 4);
        assertThat(vector.toFloatVector()).containsExactly(2.5f, 4.5f, 10.5f, 12.5f, 1, 1, 1, 1);
    }

    @Test
    void shouldCoverAnOddSizedMapWithTwoOverlappingCellsPerSide() {
        ComputationGraph head =
                HeadBuilder.build(new long[] {3, 7, 7}, 3, HeadConfig.linear(HeadPooling.GRID_AVERAGE), 1);
        INDArray features = Nd4j.zeros(DataType.FLOAT, 1, 3, 7, 7);
        // One value in the last row and column: only the bottom-right cell (rows and columns 3-6) sees it.
        features.putScalar(new long[] {0, 0, 6, 6}, 16f);

        INDArray vector = head.feedForward(features, false).get(HeadBuilder.vectorVertex(head));

        assertThat(vector.shape()).containsExactly(1, 3 * 4);
        assertThat(vector.toFloatVector()).startsWith(0f, 0f, 0f, 1f);
    }

    @Test
    void shouldRefuseGridPoolingOfAMapSmallerThanItsGrid() {
        assertThatThrownBy(() ->
                        HeadBuilder.build(new long[] {8, 1, 5}, 3, HeadConfig.linear(HeadPooling.GRID_AVERAGE), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2x2");
        assertThat(HeadPooling.forLinearHead(new long[] {576, 14, 14})).isEqualTo(HeadPooling.GRID_AVERAGE);
        assertThat(HeadPooling.forLinearHead(new long[] {512, 4, 4})).isEqualTo(HeadPooling.FLATTEN);
        assertThat(HeadPooling.forLinearHead(new long[] {32768, 1, 1})).isEqualTo(HeadPooling.GLOBAL_AVERAGE);
    }

    @Test
    void shouldBuildALinearHeadWithoutHiddenLayer() {
        ComputationGraph head = HeadBuilder.build(new long[] {8, 2, 2}, 4, HeadConfig.linear(HeadPooling.FLATTEN), 1);

        assertThat(head.getConfiguration().getVertices()).doesNotContainKeys(HeadBuilder.DENSE, HeadBuilder.DROPOUT);
        assertThat(((OutputLayer) head.getLayer(HeadBuilder.OUTPUT).conf().getLayer()).getNIn())
                .isEqualTo(32);
        assertThat(HeadBuilder.vectorVertex(head)).isEqualTo(HeadBuilder.FLATTEN_PREFIX + 0);
        assertThatThrownBy(() -> new HeadConfig(HeadPooling.FLATTEN, 0, 0.5, 1e-3, 0.9, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no layer to drop out of");
    }

    @Test
    void shouldConcatenateSeveralBasesIntoOneDenseInput() {
        ComputationGraph head =
                HeadBuilder.build(List.of(new long[] {4, 2, 2}, new long[] {6}), 3, HeadConfig.defaults(), 1);

        assertThat(head.getConfiguration().getNetworkInputs())
                .containsExactly(HeadBuilder.inputName(0), HeadBuilder.inputName(1));
        assertThat(denseInputs(head)).isEqualTo(16 + 6);
        assertThat(head.output(false, Nd4j.rand(2, 4, 2, 2), Nd4j.rand(2, 6))[0].shape())
                .containsExactly(2, 3);
    }

    @Test
    void shouldRefuseGlobalAveragePoolingOfFlatFeatures() {
        assertThatThrownBy(() -> HeadBuilder.build(
                        new long[] {2048}, 3, HeadConfig.defaults().withPooling(HeadPooling.GLOBAL_AVERAGE), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[c, h, w]");
    }
}
