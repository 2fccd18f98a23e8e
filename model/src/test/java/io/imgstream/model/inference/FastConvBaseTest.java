package io.imgstream.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.imgstream.model.base.VggBase;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FastConvBaseTest {

    private static final int SIZE = 64;
    private static final long SEED = 42;
    /** Float32 sums over up to 4608 products in a different order: agreement to this is exact in practice. */
    private static final double TOLERANCE = 1e-4;

    private static VggBase vgg16;
    private static FastConvBase fast;

    @BeforeAll
    static void buildVgg16() {
        vgg16 = VggBase.random(VggBase.Variant.VGG16, SIZE, SIZE, SEED);
        fast = FastConvBase.from(vgg16.graph());
    }

    private static INDArray images(int batch) {
        Nd4j.getRandom().setSeed(SEED + batch);
        // Roughly caffe-preprocessed pixel values, so activations have realistic magnitudes.
        return Nd4j.rand(DataType.FLOAT, batch, 3, SIZE, SIZE).subi(0.5).muli(255);
    }

    private static double maxRelativeDifference(INDArray actual, INDArray expected) {
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        return actual.sub(expected).amaxNumber().doubleValue() / scale;
    }

    @Test
    void shouldMatchStockDl4jOutput() {
        INDArray input = images(2);
        INDArray expected = vgg16.graph().outputSingle(input.dup());

        INDArray actual = fast.features(input);

        assertThat(actual.shape()).containsExactly(2, 512, 2, 2);
        double difference = maxRelativeDifference(actual, expected);
        System.out.printf(
                "FastConvBase vs DL4J, VGG16 %dx%d batch 2: max |difference| = %.3g, max |output| = %.3g, "
                        + "relative = %.3g%n",
                SIZE,
                SIZE,
                actual.sub(expected).amaxNumber().doubleValue(),
                expected.amaxNumber().doubleValue(),
                difference);
        assertThat(difference).isLessThan(TOLERANCE);
        assertThat(expected.amaxNumber().doubleValue())
                .as("a non-trivial output")
                .isGreaterThan(0.0);
    }

    @Test
    void shouldHandleDifferentBatchSizesOneAfterAnother() {
        INDArray one = images(1);
        INDArray three = images(3);

        INDArray first = fast.features(one);
        INDArray second = fast.features(three);
        INDArray again = fast.features(one);

        assertThat(second.shape()).containsExactly(3, 512, 2, 2);
        assertThat(maxRelativeDifference(second, vgg16.graph().outputSingle(three.dup())))
                .isLessThan(TOLERANCE);
        assertThat(again).as("a repeated batch gives the same result").isEqualTo(first);
    }

    @Test
    void shouldRunABatchBiggerThanItsBuffersAsSeveralPassesWithTheSameOutput() {
        INDArray input = images(5);
        INDArray expected = vgg16.graph().outputSingle(input.dup());
        // One image's largest activation (64 channels at 64x64, float) is 1 MiB: two images per pass.
        FastConvBase small = fast.withBufferBytes(2L << 20);

        INDArray actual = small.features(input);

        assertThat(actual.shape()).containsExactly(5, 512, 2, 2);
        assertThat(maxRelativeDifference(actual, expected)).isLessThan(TOLERANCE);
        assertThat(actual).isEqualTo(fast.features(input));
    }

    @Test
    void shouldCountVgg16FlopsFromTheArchitecture() {
        assertThat(fast.flopsPerImage(150, 150) / 1e9).isCloseTo(13.23, offset(0.01));
        assertThat(fast.flopsPerImage(224, 224) / 1e9).isCloseTo(30.69, offset(0.01));
    }

    @Test
    void shouldRefuseGraphWithUnsupportedLayer() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer(
                        "conv",
                        new ConvolutionLayer.Builder(3, 3)
                                .nOut(4)
                                .activation(Activation.RELU)
                                .build(),
                        "in")
                .addLayer("gap", new GlobalPoolingLayer.Builder().build(), "conv")
                .setOutputs("gap")
                .build());
        graph.init();

        assertThatThrownBy(() -> FastConvBase.from(graph))
                .isInstanceOf(UnsupportedGraphException.class)
                .hasMessageContaining("'gap'")
                .hasMessageContaining("GlobalPoolingLayer");
    }

    @Test
    void shouldRefuseInputWithWrongChannelCount() {
        assertThatThrownBy(() -> fast.features(Nd4j.zeros(DataType.FLOAT, 1, 1, SIZE, SIZE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[batch, 3, height, width]");
    }
}
