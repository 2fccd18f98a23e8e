package io.imgstream.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.model.base.ImportedBase;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.weights.LoadedNetwork;
import io.imgstream.model.weights.NsfwjsPackage;
import io.imgstream.model.weights.TestData;
import java.awt.image.BufferedImage;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The channels-last fast path against DL4J's own layers on nsfwjs's real MobileNetV2 and InceptionV3 (npm {@code
 * nsfwjs@4.4.0}, fetched by the build): MobileNetV2's 52 batch normalisations folded, its depthwise convolutions,
 * ReLU6s, zero paddings and residual sums; InceptionV3's max and average poolings and concatenations; to the issue's
 * 1e-4.
 */
class ChannelsLastFastBaseTest {

    private static final Preprocessing NSFWJS_224 =
            new Preprocessing(224, 224, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);
    private static final double TOLERANCE = 1e-4;

    private static LoadedNetwork mobilenet;

    @BeforeAll
    static void loadMobilenet() throws Exception {
        mobilenet = NsfwjsPackage.open(TestData.nsfwjsTarball())
                .model("mobilenet_v2")
                .load();
    }

    @Test
    void shouldGiveDl4jsFeaturesAtTheLastLayerForAnOddBatch() {
        ImportedBase base = ImportedBase.cut("mobilenet.out", mobilenet, "out_relu", CNN2DFormat.NHWC, NSFWJS_224);
        Nd4j.getRandom().setSeed(5);
        INDArray images = Nd4j.rand(DataType.FLOAT, NSFWJS_224.batchShape(3));

        ChannelsLastFastBase fast = ChannelsLastFastBase.from(base.graph());
        INDArray features = fast.features(images);
        INDArray again = fast.features(images);

        INDArray expected = base.features(images);
        assertThat(features.shape()).containsExactly(3, 1280, 7, 7);
        double difference = maxDifference(features, expected);
        System.out.printf("ChannelsLastFastBase on MobileNetV2 out_relu: max abs difference %.2e%n", difference);
        assertThat(difference).isLessThanOrEqualTo(TOLERANCE);
        assertThat(again).as("a second pass over the same input").isEqualTo(features);
        // The folds happened on copies: DL4J's own layers still give what they gave.
        assertThat(maxDifference(base.features(images), expected)).isZero();
        assertThat(fast.layerNames())
                .contains("block_16_project", "block_15_add", "out_relu")
                .noneMatch(name -> name.endsWith("_BN"));
    }

    /**
     * ND4J 1.0.0-M2.1's {@code close()} frees nothing on the CPU backend: activations allocated and closed per pass
     * stayed in memory until a garbage collection, about 60 MB a pass here (265 MB on ResNet50), so a scorer grew
     * with every batch. Passes reuse one workspace now.
     */
    @Test
    void shouldNotGrowTheProcessPassAfterPass() throws InterruptedException {
        ImportedBase base = ImportedBase.cut("mobilenet.out", mobilenet, "out_relu", CNN2DFormat.NHWC, NSFWJS_224);
        INDArray images = Nd4j.rand(DataType.FLOAT, NSFWJS_224.batchShape(8));
        ChannelsLastFastBase fast = ChannelsLastFastBase.from(base.graph());
        // The first passes size the workspace (or grow it, after an earlier test's smaller batch on this thread).
        for (int pass = 0; pass < 3; pass++) {
            fast.features(images);
        }
        // What the collection finds, ND4J's deallocator thread frees a moment later.
        System.gc();
        Thread.sleep(1_000);

        long before = Pointer.physicalBytes();
        for (int pass = 0; pass < 8; pass++) {
            fast.features(images);
        }
        long grown = Pointer.physicalBytes() - before;

        System.out.printf("ChannelsLastFastBase on MobileNetV2, 8 passes of 8 images: grew %d MiB%n", grown >> 20);
        assertThat(grown).as("bytes the process grew by over 8 passes").isLessThan(100L << 20);
    }

    @Test
    void shouldGiveDl4jsFeaturesOfInceptionV3sPoolingsAndConcatenations() throws Exception {
        Preprocessing input = new Preprocessing(299, 299, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);
        LoadedNetwork inception = NsfwjsPackage.open(TestData.nsfwjsTarball())
                .model("inception_v3")
                .load();
        ImportedBase base = ImportedBase.cut("inception.mixed10", inception, "mixed10", CNN2DFormat.NHWC, input);
        Nd4j.getRandom().setSeed(7);
        INDArray images = Nd4j.rand(DataType.FLOAT, input.batchShape(2));

        ChannelsLastFastBase fast = ChannelsLastFastBase.from(base.graph());
        INDArray features = fast.features(images);

        INDArray expected = base.features(images);
        assertThat(features.shape()).containsExactly(2, 2048, 8, 8);
        double difference = maxDifference(features, expected);
        System.out.printf("ChannelsLastFastBase on InceptionV3 mixed10: max abs difference %.2e%n", difference);
        assertThat(difference).isLessThanOrEqualTo(TOLERANCE);
        // Average poolings that count only the cells inside the image: at the borders a divisor of the whole
        // window would differ by a third or more.
        assertThat(fast.layerNames())
                .contains("mixed0", "mixed10", "max_pooling2d_1", "average_pooling2d_1")
                .noneMatch(name -> name.startsWith("batch_normalization"));
    }

    /**
     * No Xception with weights reaches this machine; its entry and middle blocks' pieces are built here: separable
     * convolutions (depth multiplier 1 and 2, with and without bias) each followed by a normalisation (keeping the
     * variance, as imported ones do, or DL4J's default log10 deviation), a max pooling in {@code Same} mode at stride
     * 2 on an odd size, a strided 1x1 shortcut summed in, and a concatenation.
     */
    @Test
    void shouldGiveDl4jsFeaturesOfSeparableConvolutionsAndStridedPoolings() {
        ComputationGraph block = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(11)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(31, 31, 8, CNN2DFormat.NHWC))
                .addLayer("sep1", separable(16, 1, false), "input")
                .addLayer(
                        "sep1_bn",
                        new BatchNormalization.Builder().useLogStd(false).build(),
                        "sep1")
                .addLayer("sep1_act", new ActivationLayer(Activation.RELU), "sep1_bn")
                .addLayer("sep2", separable(16, 2, true), "sep1_act")
                .addLayer("sep2_bn", new BatchNormalization.Builder().build(), "sep2")
                .addLayer(
                        "pool",
                        new SubsamplingLayer.Builder(
                                        SubsamplingLayer.PoolingType.MAX, new int[] {3, 3}, new int[] {2, 2})
                                .convolutionMode(ConvolutionMode.Same)
                                .dataFormat(CNN2DFormat.NHWC)
                                .build(),
                        "sep2_bn")
                .addLayer(
                        "shortcut",
                        new ConvolutionLayer.Builder(1, 1)
                                .stride(2, 2)
                                .nOut(16)
                                .hasBias(false)
                                .convolutionMode(ConvolutionMode.Same)
                                .dataFormat(CNN2DFormat.NHWC)
                                .activation(Activation.IDENTITY)
                                .build(),
                        "input")
                .addLayer("shortcut_bn", new BatchNormalization.Builder().build(), "shortcut")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "pool", "shortcut_bn")
                .addLayer(
                        "average",
                        new SubsamplingLayer.Builder(
                                        SubsamplingLayer.PoolingType.AVG, new int[] {3, 3}, new int[] {1, 1})
                                .convolutionMode(ConvolutionMode.Same)
                                .dataFormat(CNN2DFormat.NHWC)
                                .build(),
                        "add")
                .addVertex("concatenated", channelsLastConcatenation(), "add", "average")
                .setOutputs("concatenated")
                .build());
        block.init();
        Nd4j.getRandom().setSeed(12);
        for (String normalisation : List.of("sep1_bn", "sep2_bn", "shortcut_bn")) {
            org.deeplearning4j.nn.api.Layer layer = block.getLayer(normalisation);
            layer.setParam("mean", Nd4j.randn(DataType.FLOAT, 1, 16));
            if (layer.paramTable().containsKey("var")) {
                layer.setParam("var", Nd4j.rand(DataType.FLOAT, 1, 16).addi(0.5));
            } else {
                layer.setParam("log10stdev", Nd4j.rand(DataType.FLOAT, 1, 16).subi(0.5));
            }
            layer.setParam("gamma", Nd4j.rand(DataType.FLOAT, 1, 16).addi(0.5));
            layer.setParam("beta", Nd4j.randn(DataType.FLOAT, 1, 16));
        }
        INDArray images = Nd4j.rand(DataType.FLOAT, 3, 8, 31, 31);

        ChannelsLastFastBase fast = ChannelsLastFastBase.from(block);
        INDArray features = fast.features(images);

        INDArray expected =
                block.outputSingle(images.permute(0, 2, 3, 1).dup('c')).permute(0, 3, 1, 2);
        assertThat(features.shape()).containsExactly(3, 32, 16, 16);
        System.out.printf(
                "ChannelsLastFastBase on separable convolutions: max abs difference %.2e on activations up to %.1f%n",
                maxDifference(features, expected),
                Transforms.abs(expected).maxNumber().doubleValue());
        assertThat(maxDifference(features, expected)).isLessThanOrEqualTo(TOLERANCE);
        assertThat(fast.layerNames())
                .as("every normalisation folded")
                .containsExactlyInAnyOrder(
                        "sep1", "sep1_act", "sep2", "pool", "shortcut", "add", "average", "concatenated");
    }

    /**
     * A zero padding read by one unpadded convolution becomes that convolution's {@code Same} mode where it is the
     * padding {@code Same} would add (MobileNetV2's strided convolutions on an even size), and stays a padded copy
     * where it is not (an odd size; a wider padding).
     */
    @Test
    void shouldPadForAConvolutionAsTheZeroPaddingBeforeItDoes() {
        ComputationGraph padded = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(13)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(16, 16, 4, CNN2DFormat.NHWC))
                .addLayer(
                        "pad1",
                        new ZeroPaddingLayer.Builder(0, 1, 0, 1)
                                .dataFormat(CNN2DFormat.NHWC)
                                .build(),
                        "input")
                .addLayer(
                        "strided",
                        new DepthwiseConvolution2D.Builder(3, 3)
                                .stride(2, 2)
                                .depthMultiplier(2)
                                .convolutionMode(ConvolutionMode.Truncate)
                                .dataFormat(CNN2DFormat.NHWC)
                                .activation(Activation.RELU6)
                                .build(),
                        "pad1")
                .addLayer(
                        "pad2",
                        new ZeroPaddingLayer.Builder(2, 2, 2, 2)
                                .dataFormat(CNN2DFormat.NHWC)
                                .build(),
                        "strided")
                .addLayer(
                        "wide",
                        new ConvolutionLayer.Builder(3, 3)
                                .nOut(6)
                                .convolutionMode(ConvolutionMode.Truncate)
                                .dataFormat(CNN2DFormat.NHWC)
                                .activation(Activation.IDENTITY)
                                .build(),
                        "pad2")
                .setOutputs("wide")
                .build());
        padded.init();
        ChannelsLastFastBase fast = ChannelsLastFastBase.from(padded);
        assertThat(fast.layerNames()).containsExactly("strided", "wide");

        Nd4j.getRandom().setSeed(14);
        for (int size : new int[] {16, 15}) {
            INDArray images = Nd4j.rand(DataType.FLOAT, 2, 4, size, size).subi(0.5);
            INDArray expected =
                    padded.outputSingle(images.permute(0, 2, 3, 1).dup('c')).permute(0, 3, 1, 2);
            INDArray features = fast.features(images);
            assertThat(features.shape()).as("at %dx%d", size, size).containsExactly(expected.shape());
            assertThat(maxDifference(features, expected))
                    .as("at %dx%d", size, size)
                    .isLessThanOrEqualTo(TOLERANCE);
        }
    }

    private static SeparableConvolution2D separable(int out, int multiplier, boolean bias) {
        return new SeparableConvolution2D.Builder(3, 3)
                .nOut(out)
                .depthMultiplier(multiplier)
                .hasBias(bias)
                .convolutionMode(ConvolutionMode.Same)
                .dataFormat(CNN2DFormat.NHWC)
                .activation(Activation.IDENTITY)
                .build();
    }

    private static MergeVertex channelsLastConcatenation() {
        MergeVertex concatenation = new MergeVertex();
        concatenation.setMergeAxis(3);
        return concatenation;
    }

    @Test
    void shouldGiveDl4jsFeaturesAtAnIntermediateCutThroughTheFeatureExtractor() {
        ImportedBase base =
                ImportedBase.cut("mobilenet.block13", mobilenet, "block_13_expand_relu", CNN2DFormat.NHWC, NSFWJS_224);
        Nd4j.getRandom().setSeed(6);
        INDArray images = Nd4j.rand(DataType.FLOAT, NSFWJS_224.batchShape(2));

        assertThat(FeatureExtractor.fastPathFor(base)).isPresent();
        assertThat(new FeatureExtractor(base).usesFastPath()).isTrue();
        INDArray features = FeatureExtractor.fastPathFor(base).orElseThrow().features(images);

        assertThat(features.shape()).containsExactly(2, 576, 14, 14);
        assertThat(maxDifference(features, base.features(images))).isLessThanOrEqualTo(TOLERANCE);

        BufferedImage photo = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < photo.getHeight(); y++) {
            for (int x = 0; x < photo.getWidth(); x++) {
                photo.setRGB(x, y, (x * 7 + y * 3) % 256 << 16 | (x * y) % 256 << 8 | (x + 2 * y) % 256);
            }
        }
        try (FeatureExtractor extractor = new FeatureExtractor(base)) {
            float[] extracted = extractor.extract(List.of(photo)).get(0).values();
            INDArray reference = base.features(NSFWJS_224.toBatch(List.of(photo)));
            assertThat(maxDifference(Nd4j.create(extracted).reshape(reference.shape()), reference))
                    .as("the extractor's features of a decoded image")
                    .isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @Test
    void shouldRefuseGraphsItCannotReproduce() {
        ComputationGraph channelsFirst = SmallCnn.build(1, 28, 28, 10, 1);
        assertThatThrownBy(() -> ChannelsLastFastBase.from(channelsFirst))
                .isInstanceOf(UnsupportedGraphException.class)
                .hasMessageContaining("'" + SmallCnn.CONV1 + "' is NCHW");

        ComputationGraph normalisedInput = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(8, 8, 3, CNN2DFormat.NHWC))
                .addLayer("normalised", new BatchNormalization.Builder().build(), "input")
                .addLayer(
                        "conv",
                        new ConvolutionLayer.Builder(3, 3)
                                .nOut(4)
                                .dataFormat(CNN2DFormat.NHWC)
                                .activation(Activation.RELU)
                                .build(),
                        "normalised")
                .setOutputs("conv")
                .build());
        normalisedInput.init();
        assertThatThrownBy(() -> ChannelsLastFastBase.from(normalisedInput))
                .isInstanceOf(UnsupportedGraphException.class)
                .hasMessageContaining("batch normalisation 'normalised' does not follow a linear convolution");

        ComputationGraph normalisedAfterRelu = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(8, 8, 3, CNN2DFormat.NHWC))
                .addLayer(
                        "conv",
                        new ConvolutionLayer.Builder(3, 3)
                                .nOut(4)
                                .dataFormat(CNN2DFormat.NHWC)
                                .activation(Activation.RELU)
                                .build(),
                        "input")
                .addLayer("normalised", new BatchNormalization.Builder().build(), "conv")
                .setOutputs("normalised")
                .build());
        normalisedAfterRelu.init();
        assertThatThrownBy(() -> ChannelsLastFastBase.from(normalisedAfterRelu))
                .as("a normalisation after a ReLU folded into the weights would be wrong")
                .isInstanceOf(UnsupportedGraphException.class)
                .hasMessageContaining("batch normalisation 'normalised' does not follow a linear convolution");
    }

    private static double maxDifference(INDArray actual, INDArray expected) {
        return Transforms.abs(actual.sub(expected)).maxNumber().doubleValue();
    }
}
