package io.imgstream.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class SmallCnnTest {

    @Test
    void shouldBuildTheNamedLayersAndOutputOneProbabilityRowPerImage() {
        ComputationGraph network = SmallCnn.build(3, 32, 24, 5, 1);

        assertThat(network.getConfiguration().getVertices().keySet())
                .contains(
                        SmallCnn.CONV1,
                        SmallCnn.POOL1,
                        SmallCnn.CONV2,
                        SmallCnn.POOL2,
                        SmallCnn.DENSE,
                        SmallCnn.DROPOUT,
                        SmallCnn.OUTPUT);
        float[][] output = network.outputSingle(false, Nd4j.rand(DataType.FLOAT, 2, 3, 32, 24))
                .toFloatMatrix();
        assertThat(output).hasNumberOfRows(2);
        assertThat(output[0]).hasSize(5);
    }

    @Test
    void shouldInitialiseTheSameWeightsForTheSameSeed() {
        assertThat(SmallCnn.build(1, 8, 8, 2, 17).params())
                .isEqualTo(SmallCnn.build(1, 8, 8, 2, 17).params());
        assertThat(SmallCnn.build(1, 8, 8, 2, 17).params())
                .isNotEqualTo(SmallCnn.build(1, 8, 8, 2, 18).params());
    }

    @Test
    void shouldRefuseInvalidSettings() {
        assertThatThrownBy(() -> SmallCnn.build(1, 8, 8, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 classes");
        assertThatThrownBy(() -> new SmallCnn.Config(16, 5, 32, 3, 2, 64, 1.0, 1e-3, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dropoutRate");
    }
}
