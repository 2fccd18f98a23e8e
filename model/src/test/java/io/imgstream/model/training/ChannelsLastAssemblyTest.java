package io.imgstream.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.ImportedBase;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.explain.GradCam;
import io.imgstream.model.explain.Heatmap;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.inference.BundleScorer;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.weights.NsfwjsPackage;
import io.imgstream.model.weights.TestData;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A head stacked on a real channels-last base (nsfwjs MobileNetV2, imported from TF.js) computes, from an NCHW
 * batch, what the head computes on the base's own features: the network a bundle carries for such a base.
 */
class ChannelsLastAssemblyTest {

    @TempDir
    Path dir;

    private static final Preprocessing INPUT = new Preprocessing(224, 224, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);

    @Test
    void shouldGiveTheSameScoresAsTheHeadOnTheBasesFeatures() throws Exception {
        BaseNetwork base = mobileNetV2();
        ComputationGraph head = HeadBuilder.build(base.featureShape(), 3, HeadConfig.defaults(), 7);
        INDArray batch = Nd4j.rand(DataType.FLOAT, 2, 3, 224, 224);

        ComputationGraph network = new FineTuner(FineTuneConfig.defaults())
                .assemble(base, head, new FineTuner.FromLayer(base.bottleneckLayer()));

        INDArray expected = head.outputSingle(base.features(batch));
        INDArray actual = network.outputSingle(batch);
        assertThat(actual.shape()).containsExactly(2, 3);
        assertThat(actual.equalsWithEps(expected, 1e-5))
                .as("assembled %s vs head on features %s", actual, expected)
                .isTrue();
        Path saved = dir.resolve("network.zip");
        ModelSerializer.writeModel(network, saved.toFile(), false);
        INDArray restored =
                ModelSerializer.restoreComputationGraph(saved.toFile(), false).outputSingle(batch);
        assertThat(restored.equalsWithEps(expected, 1e-5))
                .as("after a save and restore %s vs %s", restored, expected)
                .isTrue();
    }

    @Test
    void shouldScoreAsBeforeOnceTheTrainableNormalizationsAreFixedAffineMaps() throws Exception {
        BaseNetwork base = mobileNetV2();
        ComputationGraph head = HeadBuilder.build(base.featureShape(), 3, HeadConfig.defaults(), 7);
        INDArray batch = Nd4j.rand(DataType.FLOAT, 2, 3, 224, 224);
        FineTuner tuner = new FineTuner(FineTuneConfig.defaults());
        INDArray expected = tuner.assemble(base, head, new FineTuner.FromLayer(base.bottleneckLayer()))
                .outputSingle(batch);

        ComputationGraph fixed = tuner.assemble(base, head, new FineTuner.LastLayers(40));

        for (String normalization : List.of("Conv_1_bn", "block_15_depthwise_BN")) {
            assertThat(fixed.getLayer(normalization))
                    .as("%s, after a plain and a depthwise convolution", normalization)
                    .isInstanceOf(org.deeplearning4j.nn.layers.FrozenLayerWithBackprop.class);
            assertThat(fixed.getLayer(normalization).conf().getLayer())
                    .isInstanceOf(org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D.class);
        }
        assertThat(fixed.getLayer("Conv_1").params())
                .as("the convolution before a normalisation keeps its own weights, so steps on them are Keras's")
                .isEqualTo(base.graph().getLayer("Conv_1").params());
        INDArray actual = fixed.outputSingle(batch);
        assertThat(actual.equalsWithEps(expected, 1e-4))
                .as("fixed %s vs as imported %s", actual, expected)
                .isTrue();
    }

    @Test
    void shouldFineTuneTheLastTenLayersOfAChannelsLastBase() throws Exception {
        BaseNetwork base = mobileNetV2();
        ComputationGraph head = HeadBuilder.build(base.featureShape(), 2, HeadConfig.defaults(), 7);
        java.util.Random random = new java.util.Random(1);
        List<BufferedImage> images = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            BufferedImage image = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 224; y++) {
                for (int x = 0; x < 224; x++) {
                    image.setRGB(x, y, i % 2 == 0 ? random.nextInt(0x7f7f7f) : 0x808080 + random.nextInt(0x7f7f7f));
                }
            }
            images.add(image);
        }
        ImageSet data = new ImageSet(images, new int[] {0, 1, 0, 1});
        FineTuneConfig defaults = FineTuneConfig.defaults();
        FineTuner tuner = new FineTuner(new FineTuneConfig(
                defaults.learningRate(), defaults.momentum(), 1, 4, 1, defaults.augmentation(), false));
        ComputationGraph network = tuner.assemble(base, head, FineTuner.Unfreeze.lastBlockOf(base, 0));
        String lastConvolution = "Conv_1";
        INDArray before = network.getLayer(lastConvolution).params().dup();

        FineTuneResult tuned = tuner.fineTune(network, INPUT, data, data, epoch -> {});

        assertThat(tuned.curves().epochs()).isEqualTo(1);
        assertThat(tuned.network().getLayer(lastConvolution).params())
                .as("the base's last convolution trained")
                .isNotEqualTo(before);
        FineTuner still = new FineTuner(new FineTuneConfig(1e-12, 0, 2, 4, 1, defaults.augmentation(), false));
        ComputationGraph unmoved = still.assemble(base, head, FineTuner.Unfreeze.lastBlockOf(base, 0));
        INDArray scores = unmoved.outputSingle(INPUT.toBatch(images));
        still.fineTune(unmoved, INPUT, data, data, epoch -> {});
        INDArray after = unmoved.outputSingle(INPUT.toBatch(images));
        assertThat(after.equalsWithEps(scores, 1e-4))
                .as(
                        "with no learning, fine-tuning leaves the scores alone: the base's batch normalisations keep "
                                + "their statistics (%s before, %s after)",
                        scores, after)
                .isTrue();
    }

    @Test
    void shouldScoreAndPublishChannelsFirstFeaturesFromABundle() throws Exception {
        BaseNetwork base = mobileNetV2();
        ComputationGraph head = HeadBuilder.build(base.featureShape(), 3, HeadConfig.defaults(), 7);
        ComputationGraph network = new FineTuner(FineTuneConfig.defaults())
                .assemble(base, head, new FineTuner.FromLayer(base.bottleneckLayer()));
        BundleManifest manifest = BundleManifest.create(
                        "mnv2-head",
                        1,
                        List.of("a", "b", "c"),
                        base.id().toString(),
                        INPUT,
                        Instant.now(),
                        Map.of(),
                        null)
                .withBottleneckLayer(FineTuner.featuresVertex(base));
        List<BufferedImage> images = List.of(
                new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB),
                new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB));
        images.get(0).setRGB(10, 20, 0xff8040);
        INDArray batch = INPUT.toBatch(images);

        try (BundleScorer scorer = new BundleScorer(ModelBundle.of(manifest, network))) {
            assertThat(scorer.usesFastPath())
                    .as("the base on the channels-last fast path")
                    .isTrue();
            assertThat(scorer.featureLayout().orElseThrow().shape()).containsExactly(1280, 7, 7);
            ImageScorer.Scores scores = scorer.scoreWithFeatures(images);

            INDArray expected = head.outputSingle(base.features(batch));
            for (int i = 0; i < images.size(); i++) {
                assertThat(scores.probabilities().get(i)).containsExactly(expected.toFloatMatrix()[i], within(1e-5f));
            }
            INDArray features = base.features(batch);
            assertThat(scores.features().get(0))
                    .as("features published channels first, as the worker reads them")
                    .containsExactly(features.slice(0).dup().reshape(-1).toFloatVector(), within(1e-4f));
        }
    }

    @Test
    void shouldExplainAPredictionAtTheChannelsFirstFeaturesByDefault() throws Exception {
        BaseNetwork base = mobileNetV2();
        ComputationGraph head =
                HeadBuilder.build(base.featureShape(), 3, HeadConfig.defaults().withNormalized(true), 7);
        ComputationGraph network = new FineTuner(FineTuneConfig.defaults())
                .assemble(base, head, new FineTuner.FromLayer(base.bottleneckLayer()));
        BufferedImage image = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(3);
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                image.setRGB(x, y, x < 112 ? random.nextInt(0xffffff) : 0x202020);
            }
        }

        List<String> layers = GradCam.defaultLayers(network, Optional.of(FineTuner.featuresVertex(base)));

        assertThat(layers).as("not the channels-last convolutions").containsExactly(FineTuner.featuresVertex(base));
        assertThat(GradCam.defaultLayers(network, Optional.empty())).isEmpty();
        float hottest = 0;
        for (int c = 0; c < 3; c++) {
            Heatmap heatmap = new GradCam(INPUT).explain(network, image, layers, c);
            assertThat(heatmap.width()).isEqualTo(224);
            for (float value : heatmap.values()) {
                hottest = Math.max(hottest, value);
            }
        }
        assertThat(hottest).as("the hottest point of the three classes' maps").isGreaterThan(0.5f);
    }

    @Test
    void shouldExplainAPredictionThroughChannelsLastConcatenations() throws Exception {
        // InceptionV3's blocks concatenate along axis 3, which a copy of the network made by DL4J loses.
        BaseNetwork base = inceptionV3("mixed1");
        Preprocessing input = base.preprocessing();
        ComputationGraph head = HeadBuilder.build(base.featureShape(), 3, HeadConfig.defaults(), 7);
        ComputationGraph network =
                new FineTuner(FineTuneConfig.defaults()).assemble(base, head, new FineTuner.LastLayers(2));
        BufferedImage image = new BufferedImage(120, 80, BufferedImage.TYPE_INT_RGB);
        image.setRGB(10, 10, 0xffffff);

        Heatmap heatmap = new GradCam(input).explain(network, image, List.of(FineTuner.featuresVertex(base)), 1);

        assertThat(heatmap.width()).isEqualTo(120);
        assertThat(heatmap.height()).isEqualTo(80);
        assertThat(heatmap.classIndex()).isEqualTo(1);
    }

    @Test
    void shouldStackAHeadOnABaseCutAtAConcatenation() throws Exception {
        // InceptionV3's own last layer, mixed10, is a concatenation, not a layer: the whole base stays frozen.
        BaseNetwork base = inceptionV3("mixed0");
        ComputationGraph head = HeadBuilder.build(base.featureShape(), 3, HeadConfig.defaults(), 7);
        INDArray batch = Nd4j.rand(DataType.FLOAT, 2, 3, 299, 299);

        ComputationGraph network =
                new FineTuner(FineTuneConfig.defaults()).assemble(base, head, FineTuner.Unfreeze.none());

        INDArray expected = head.outputSingle(base.features(batch));
        INDArray actual = network.outputSingle(batch);
        assertThat(actual.equalsWithEps(expected, 1e-5))
                .as("assembled %s vs head on features %s", actual, expected)
                .isTrue();
        for (org.deeplearning4j.nn.api.Layer layer : base.graph().getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            assertThat(network.getLayer(name))
                    .as(name)
                    .isInstanceOfAny(
                            org.deeplearning4j.nn.layers.FrozenLayer.class,
                            org.deeplearning4j.nn.layers.FrozenLayerWithBackprop.class);
        }
    }

    private static BaseNetwork inceptionV3(String cut) throws Exception {
        return ImportedBase.cut(
                "inception",
                NsfwjsPackage.open(TestData.nsfwjsTarball())
                        .model("inception_v3")
                        .load(),
                cut,
                CNN2DFormat.NHWC,
                new Preprocessing(299, 299, 3, PixelScaling.UNIT, ResizePolicy.SQUASH));
    }

    private static BaseNetwork mobileNetV2() throws Exception {
        return ImportedBase.cut(
                "mnv2",
                NsfwjsPackage.open(TestData.nsfwjsTarball())
                        .model("mobilenet_v2")
                        .load(),
                "out_relu",
                CNN2DFormat.NHWC,
                INPUT);
    }
}
