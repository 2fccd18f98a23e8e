package io.imgstream.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imports the real pretrained networks that npm {@code nsfwjs@4.4.0} ships and checks them against
 * {@code @tensorflow/tfjs}'s own outputs on real photos: {@code nsfwjs-reference.json}, computed
 * independently by {@code model/src/test/node/nsfwjs-reference.js} (see the README there).
 *
 * <p>The photos ({@code photos/*-224.png}, {@code *-299.png}) are already at each network's input size,
 * so both sides skip resizing and see identical pixels; both then divide by 255, which is what nsfwjs
 * does. The comparison therefore isolates the imported network.
 */
class NsfwjsImportTest {

    private static final Logger LOG = LoggerFactory.getLogger(NsfwjsImportTest.class);
    /** float32 rounding after 50-100 layers summed in a different order; seen here: at most 4.6e-7. */
    private static final double PROBABILITY_TOLERANCE = 2e-6;

    private static final List<String> PHOTOS = List.of("astronaut", "chelsea", "coffee");
    private static final int NEUTRAL_CLASS = 2;

    private static NsfwjsPackage nsfwjs;
    private static JsonNode reference;

    @BeforeAll
    static void openPackage() throws Exception {
        nsfwjs = NsfwjsPackage.open(TestData.nsfwjsTarball());
        try (InputStream in = NsfwjsImportTest.class.getResourceAsStream("/nsfwjs-reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void shouldListTheThreeModelsThatVersion440Ships() {
        assertThat(nsfwjs.models()).containsExactly("inception_v3", "mobilenet_v2", "mobilenet_v2_mid");
    }

    @Test
    void shouldRefuseTheGraphModelWithAClearError() throws Exception {
        TfjsLayersSource graphModel = nsfwjs.model("mobilenet_v2_mid");

        assertThatThrownBy(graphModel::load)
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("mobilenet_v2_mid")
                .hasMessageContaining("not importable: TF.js graph model");
    }

    @Test
    void shouldNameTheModelsThereAreWhenAskedForAnUnknownOne() {
        assertThatThrownBy(() -> nsfwjs.model("resnet50"))
                .isInstanceOf(WeightsNotFoundException.class)
                .hasMessageContaining("resnet50")
                .hasMessageContaining("mobilenet_v2");
    }

    @ParameterizedTest(name = "{0} at {1}x{1}")
    @CsvSource({"mobilenet_v2, 224", "inception_v3, 299"})
    void shouldMatchTfjsProbabilitiesOnRealPhotos(String model, int size) throws Exception {
        long start = System.nanoTime();
        LoadedNetwork network = nsfwjs.model(model).load();
        long loadMillis = (System.nanoTime() - start) / 1_000_000;
        Preprocessing unitRgb = new Preprocessing(size, size, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);

        for (String photo : PHOTOS) {
            String file = photo + "-" + size + ".png";
            float[] expected =
                    toFloats(reference.path("models").path(model).path("photos").path(file));
            float[] actual = probabilities(network.graph(), unitRgb.toBatch(List.of(readPhoto(file))));

            double maxDifference = maxAbsDifference(actual, expected);
            LOG.info("{} {}: max |DL4J - tfjs| = {} (loaded in {} ms)", model, file, maxDifference, loadMillis);
            assertThat(actual)
                    .as("%s on %s vs tfjs %s", model, file, Arrays.toString(expected))
                    .containsExactly(expected, offset((float) PROBABILITY_TOLERANCE));
        }
        assertThat(network.weightsSha256()).hasSize(64);
    }

    @Test
    void shouldSeeNeutralPhotosAsNeutral() throws Exception {
        LoadedNetwork network = nsfwjs.model("mobilenet_v2").load();
        Preprocessing unitRgb = new Preprocessing(224, 224, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);

        float[] cat = probabilities(network.graph(), unitRgb.toBatch(List.of(readPhoto("chelsea-224.png"))));

        assertThat(argMax(cat))
                .as("class probabilities %s", Arrays.toString(cat))
                .isEqualTo(NEUTRAL_CLASS);
    }

    @Test
    void shouldGiveTheSameHashForTheSameWeights() throws Exception {
        String first = nsfwjs.model("mobilenet_v2").load().weightsSha256();
        String again = NsfwjsPackage.open(TestData.nsfwjsTarball())
                .model("mobilenet_v2")
                .load()
                .weightsSha256();

        assertThat(again).isEqualTo(first);
    }

    /** TF.js layers models keep TensorFlow's NHWC layout; Preprocessing writes NCHW. */
    private static float[] probabilities(ComputationGraph graph, INDArray nchw) {
        return graph.outputSingle(nchw.permute(0, 2, 3, 1).dup('c')).toFloatVector();
    }

    static BufferedImage readPhoto(String file) throws IOException {
        try (InputStream in = NsfwjsImportTest.class.getResourceAsStream("/photos/" + file)) {
            assertThat(in).as("test photo %s", file).isNotNull();
            return ImageIO.read(in);
        }
    }

    private static float[] toFloats(JsonNode array) {
        assertThat(array.isArray()).as("reference values %s", array).isTrue();
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    private static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
