package io.imgstream.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.ImportedBase;
import io.imgstream.model.base.MergeAxes;
import io.imgstream.model.base.VggBase;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.explain.GradCam;
import io.imgstream.model.explain.Heatmap;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.head.HeadPooling;
import io.imgstream.model.inference.BundleScorer;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.weights.NsfwjsPackage;
import io.imgstream.model.weights.TestData;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Several real bases concatenated: nsfwjs's pretrained MobileNetV2 and InceptionV3 (channels last, [0, 1] pixels)
 * and a seeded VGG16 (channels first, Caffe's BGR mean subtraction), on real photos at one small shared size.
 */
@Tag("heavy")
class ConcatenatedBaseTest {

    private static final int SIZE = 96;
    private static final List<String> PHOTOS = List.of("chelsea-224.png", "coffee-224.png", "astronaut-299.png");

    private static BaseNetwork mobilenet;
    private static BaseNetwork inception;
    private static BaseNetwork vgg;
    private static List<BufferedImage> photos;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadBases() throws Exception {
        NsfwjsPackage nsfwjs = NsfwjsPackage.open(TestData.nsfwjsTarball());
        mobilenet = ImportedBase.cut(
                "nsfwjs.mobilenet_v2",
                nsfwjs.model("mobilenet_v2").load(),
                "out_relu",
                CNN2DFormat.NHWC,
                new Preprocessing(224, 224, 3, PixelScaling.UNIT, ResizePolicy.SQUASH));
        inception = ImportedBase.cut(
                "nsfwjs.inception_v3",
                nsfwjs.model("inception_v3").load(),
                "mixed2",
                CNN2DFormat.NHWC,
                new Preprocessing(299, 299, 3, PixelScaling.UNIT, ResizePolicy.SQUASH));
        vgg = VggBase.random(VggBase.Variant.VGG16, 224, 224, 5);
        photos = new ArrayList<>();
        for (String photo : PHOTOS) {
            try (InputStream in = ConcatenatedBaseTest.class.getResourceAsStream("/photos/" + photo)) {
                photos.add(ImageIO.read(in));
            }
        }
    }

    @Test
    void shouldGiveTheConcatenationOfEachBasesOwnFeaturesEachScaledAsItWasTrained() {
        ConcatenatedBase combined = ConcatenatedBase.of(List.of(mobilenet, vgg, inception), OptionalInt.of(SIZE));

        INDArray merged = combined.features(combined.preprocessing().toBatch(photos));

        List<INDArray> own = new ArrayList<>();
        for (BaseNetwork base : List.of(mobilenet, vgg, inception)) {
            Preprocessing itsOwn = new Preprocessing(
                    SIZE,
                    SIZE,
                    3,
                    base.preprocessing().scaling(),
                    base.preprocessing().resize());
            own.add(vector(base.features(itsOwn.toBatch(photos))));
        }
        INDArray expected = Nd4j.hstack(own.toArray(INDArray[]::new));
        assertThat(combined.preprocessing().scaling())
                .as("the first base's scaling; VGG's branch converts it")
                .isEqualTo(PixelScaling.UNIT);
        assertThat(combined.featureShape()).containsExactly(expected.size(1));
        assertThat(merged.shape()).containsExactly(photos.size(), expected.size(1));
        double difference = merged.sub(expected).amaxNumber().doubleValue();
        System.out.printf(
                Locale.ROOT,
                "three bases concatenated at %dx%d: %d features, max abs difference %.2e%n",
                SIZE,
                SIZE,
                expected.size(1),
                difference);
        assertThat(difference).as("max abs difference").isLessThanOrEqualTo(1e-4);
        assertThat(combined.modelId()).isEqualTo(mobilenet.id() + "+" + vgg.id() + "+" + inception.id());
        assertThat(combined.id().toString())
                .as("a cache of one base is never read for several")
                .isNotEqualTo(mobilenet.id().toString())
                .isNotEqualTo(ConcatenatedBase.of(List.of(vgg, mobilenet), OptionalInt.of(SIZE))
                        .id()
                        .toString())
                .isNotEqualTo(ConcatenatedBase.of(List.of(mobilenet, vgg, inception), OptionalInt.of(128))
                        .id()
                        .toString());
    }

    @Test
    void shouldRoundTripAsOneNetworkAndScoreAndPublishTheConcatenatedFeatures() throws Exception {
        ConcatenatedBase combined = ConcatenatedBase.of(List.of(vgg, mobilenet, inception), OptionalInt.of(SIZE));
        ComputationGraph head = HeadBuilder.build(combined.featureShape(), 3, HeadConfig.defaults(), 7);
        ComputationGraph network = new FineTuner(FineTuneConfig.defaults())
                .assemble(combined, head, new FineTuner.FromLayer(combined.bottleneckLayer()));
        BundleManifest manifest = BundleManifest.create(
                        "two-bases",
                        1,
                        List.of("a", "b", "c"),
                        combined.modelId(),
                        combined.preprocessing(),
                        Instant.now(),
                        Map.of(),
                        null)
                .withBottleneckLayer(FineTuner.featuresVertex(combined));
        Path file = dir.resolve("bundle.zip");
        try (OutputStream out = Files.newOutputStream(file)) {
            ModelBundle.of(manifest, network).writeTo(out);
        }

        ModelBundle read = BundleFile.readUnverified(file);
        INDArray batch = combined.preprocessing().toBatch(photos);
        INDArray features = combined.features(batch);
        float[][] expected = head.outputSingle(features).toFloatMatrix();
        assertThat(read.manifest().baseModelId()).isEqualTo(vgg.id() + "+" + mobilenet.id() + "+" + inception.id());
        assertThat(combined.preprocessing().scaling())
                .as("VGG's Caffe scaling; the nsfwjs branches convert it")
                .isEqualTo(PixelScaling.CAFFE_BGR);
        try (BundleScorer scorer = new BundleScorer(read)) {
            assertThat(scorer.featureLayout().orElseThrow().shape())
                    .containsExactly(Math.toIntExact(combined.featureShape()[0]));
            ImageScorer.Scores scores = scorer.scoreWithFeatures(photos);
            for (int i = 0; i < photos.size(); i++) {
                assertThat(scores.probabilities().get(i)).containsExactly(expected[i], within(1e-5f));
                assertThat(scores.features().get(i))
                        .containsExactly(features.getRow(i).toFloatVector(), within(1e-4f));
            }
        }
    }

    @Test
    void shouldExplainEachBaseAtItsOwnLayerAndAddTheirMapsIntoOne() {
        ConcatenatedBase combined = ConcatenatedBase.of(List.of(vgg, mobilenet), OptionalInt.of(SIZE));
        ComputationGraph head = HeadBuilder.build(combined.featureShape(), 3, HeadConfig.defaults(), 7);
        ComputationGraph network = new FineTuner(FineTuneConfig.defaults())
                .assemble(combined, head, new FineTuner.FromLayer(combined.bottleneckLayer()));
        BufferedImage photo = photos.get(0);
        GradCam gradCam = new GradCam(combined.preprocessing());

        List<String> layers = GradCam.defaultLayers(network, Optional.of(FineTuner.featuresVertex(combined)));

        List<String> maps = ConcatenatedBase.featureMaps(network);
        assertThat(maps).hasSize(2);
        assertThat(layers)
                .as("VGG's last convolution; MobileNetV2's features turned channels first")
                .containsExactly(ConcatenatedBase.prefix(0) + "block5_conv3", maps.get(1));
        Heatmap both = gradCam.explain(network, photo, layers, 1);
        assertThat(both.layers()).containsExactlyElementsOf(layers);
        assertThat(both.width()).isEqualTo(photo.getWidth());

        // A head that reads nothing from one branch leaves that branch nothing to add: the map is the other's.
        long vggLength = vector(vgg.features(Nd4j.zeros(DataType.FLOAT, 1, 3, SIZE, SIZE)))
                .size(1);
        for (int silenced = 0; silenced < 2; silenced++) {
            ComputationGraph deaf = MergeAxes.restore(network, network.clone());
            INDArray weights = deaf.getLayer(HeadBuilder.DENSE).getParam("W");
            INDArrayIndex rows = silenced == 0
                    ? NDArrayIndex.interval(0, vggLength)
                    : NDArrayIndex.interval(vggLength, weights.size(0));
            weights.get(rows, NDArrayIndex.all()).assign(0);
            String heard = layers.get(1 - silenced);

            Heatmap together = gradCam.explain(deaf, photo, layers, 1);
            Heatmap alone = gradCam.explain(deaf, photo, List.of(heard), 1);

            assertThat(together.values())
                    .as("both layers, the head deaf to branch %d", silenced)
                    .containsExactly(alone.values(), within(1e-5f));
            float max = 0;
            for (float value : alone.values()) {
                max = Math.max(max, value);
            }
            assertThat(max).as("branch %d's own map", 1 - silenced).isEqualTo(1f);
        }
        assertThatThrownBy(() ->
                        gradCam.explain(network, photo, List.of(ConcatenatedBase.prefix(1) + "block_1_project_BN"), 1))
                .as("its output feeds block 2 and block 2's residual add")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exactly one path");
    }

    @Test
    void shouldRefuseOneBaseABaseNamedTwiceAndASizeABaseCannotTake() {
        assertThatThrownBy(() -> ConcatenatedBase.of(List.of(vgg), OptionalInt.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two or more bases");
        assertThatThrownBy(() -> ConcatenatedBase.of(List.of(vgg, vgg), OptionalInt.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("named twice");
        assertThatThrownBy(() -> ConcatenatedBase.of(List.of(vgg, mobilenet), OptionalInt.of(16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(mobilenet.id().toString())
                .hasMessageContaining("does not take 16x16 images");
    }

    /** A base's features as a concatenated branch makes them a vector. */
    private static INDArray vector(INDArray features) {
        long[] shape = Arrays.copyOfRange(features.shape(), 1, features.rank());
        if (shape.length == 3 && HeadPooling.forFeatures(shape) == HeadPooling.GLOBAL_AVERAGE) {
            return features.mean(2, 3);
        }
        return features.reshape('c', features.size(0), -1);
    }
}
