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
