package io.imgstream.model.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.imgstream.model.base.VggBase;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.FineTuneConfig;
import io.imgstream.model.training.FineTuner;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.training.TruncatedBase;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class BundleScorerTest {

    private static final Preprocessing INPUT = new Preprocessing(40, 40, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);
    private static final List<String> CLASSES = List.of("a", "b", "c", "d");

    private static List<BufferedImage> noise(int count) {
        Random random = new Random(3);
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BufferedImage image = new BufferedImage(40 + i, 40, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    image.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            images.add(image);
        }
        return images;
    }

    @Test
    void shouldRunTheConvolutionsOnTheFastPathWithTheProbabilitiesOfDl4j() {
        ModelBundle bundle = ModelBundle.of(
                BundleManifest.create("noise", 1, CLASSES, "small-cnn", INPUT, Instant.now(), Map.of(), null),
                SmallCnn.build(3, 40, 40, CLASSES.size(), 5));
        List<BufferedImage> images = noise(5);
        float[][] expected = bundle.predict(INPUT.toBatch(images));

        try (BundleScorer scorer = new BundleScorer(bundle)) {
            List<float[]> scores = scorer.score(images);

            assertThat(scorer.usesFastPath()).isTrue();
            assertThat(scores).hasSize(images.size());
            for (int i = 0; i < images.size(); i++) {
                assertThat(scores.get(i)).as("image %d", i).containsExactly(expected[i], offset(1e-5f));
            }
        }
    }

    @Test
    void shouldRunInDl4jANetworkFrozenPastTheFastPrefix() {
        // A small CNN's base frozen up to pool2, as the training worker assembles it: the fast path covers only conv1.
        TruncatedBase base =
                TruncatedBase.of(SmallCnn.build(3, 40, 40, CLASSES.size(), 5), SmallCnn.POOL2, "small-conv", INPUT);
        ComputationGraph network = new FineTuner(FineTuneConfig.defaults())
                .assemble(
                        base,
                        HeadBuilder.build(base.featureShape(), CLASSES.size(), HeadConfig.defaults(), 6),
                        new FineTuner.FromLayer(SmallCnn.POOL2));
        ModelBundle bundle = ModelBundle.of(
                BundleManifest.create("frozen", 1, CLASSES, base.id().toString(), INPUT, Instant.now(), Map.of(), null),
                network);
        List<BufferedImage> images = noise(3);
        float[][] expected = bundle.predict(INPUT.toBatch(images));

        try (BundleScorer scorer = new BundleScorer(bundle)) {
            List<float[]> scores = scorer.score(images);

            assertThat(scorer.usesFastPath()).isFalse();
            for (int i = 0; i < images.size(); i++) {
                assertThat(scores.get(i)).as("image %d", i).containsExactly(expected[i], offset(1e-5f));
            }
        }
    }

    @Test
    void shouldRunAFineTunedVggBaseOnTheFastPathThroughItsFrozenLayers() {
        VggBase vgg = VggBase.random(VggBase.Variant.VGG16, 48, 48, 9);
        ComputationGraph network = new FineTuner(FineTuneConfig.defaults())
                .assemble(
                        vgg,
                        HeadBuilder.build(vgg.featureShape(), CLASSES.size(), HeadConfig.defaults(), 9),
                        new FineTuner.FromLayer("block5_conv1"));
        ModelBundle bundle = ModelBundle.of(
                BundleManifest.create(
                        "vgg", 1, CLASSES, vgg.id().toString(), vgg.preprocessing(), Instant.now(), Map.of(), null),
                network);
        List<BufferedImage> images = noise(3);
        float[][] expected = bundle.predict(vgg.preprocessing().toBatch(images));

        try (BundleScorer scorer = new BundleScorer(bundle)) {
            List<float[]> scores = scorer.score(images);

            assertThat(scorer.usesFastPath()).isTrue();
            for (int i = 0; i < images.size(); i++) {
                assertThat(scores.get(i)).as("image %d", i).containsExactly(expected[i], offset(1e-5f));
            }
        }
    }

    @Test
    void shouldReturnTheNamedBottleneckActivationsAsFeatures() {
        VggBase vgg = VggBase.random(VggBase.Variant.VGG16, 48, 48, 9);
        ComputationGraph vggNetwork = new FineTuner(FineTuneConfig.defaults())
                .assemble(
                        vgg,
                        HeadBuilder.build(vgg.featureShape(), CLASSES.size(), HeadConfig.defaults(), 9),
                        new FineTuner.FromLayer("block5_conv1"));
        ComputationGraph smallNetwork = SmallCnn.build(3, 40, 40, CLASSES.size(), 5);
        List<BufferedImage> images = noise(2);
        assertFeatures(
                ModelBundle.of(
                        BundleManifest.create(
                                        "vgg",
                                        1,
                                        CLASSES,
                                        vgg.id().toString(),
                                        vgg.preprocessing(),
                                        Instant.now(),
                                        Map.of(),
                                        null)
                                .withBottleneckLayer(VggBase.BOTTLENECK),
                        vggNetwork),
                images,
                List.of(512, 1, 1));
        // The small CNN's fast path ends before its bottleneck: the features then come from a DL4J pass.
        assertFeatures(
                ModelBundle.of(
                        BundleManifest.create("small", 1, CLASSES, "small-cnn", INPUT, Instant.now(), Map.of(), null)
                                .withBottleneckLayer(SmallCnn.POOL2),
                        smallNetwork),
                images,
                null);
    }

    private static void assertFeatures(ModelBundle bundle, List<BufferedImage> images, List<Integer> expectedShape) {
        String layer = bundle.manifest().bottleneckLayer();
        INDArray batch = bundle.manifest().preprocessing().toBatch(images);
        INDArray expected = bundle.network().feedForward(batch, false).get(layer);
        float[][] probabilities = bundle.predict(batch);
        try (BundleScorer scorer = new BundleScorer(bundle)) {
            ImageScorer.Scores scores = scorer.scoreWithFeatures(images);

            assertThat(scorer.featureLayout()).hasValueSatisfying(l -> {
                assertThat(l.baseModelId()).isEqualTo(bundle.manifest().baseModelId());
                if (expectedShape != null) {
                    assertThat(l.shape()).isEqualTo(expectedShape);
                }
            });
            for (int i = 0; i < images.size(); i++) {
                assertThat(scores.features().get(i))
                        .as("features of image %d", i)
                        .containsExactly(expected.slice(i).dup().data().asFloat(), offset(1e-4f));
                assertThat(scores.probabilities().get(i)).containsExactly(probabilities[i], offset(1e-5f));
            }
        }
    }
}
