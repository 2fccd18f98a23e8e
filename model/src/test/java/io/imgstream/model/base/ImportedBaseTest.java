package io.imgstream.model.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.weights.LoadedNetwork;
import io.imgstream.model.weights.NsfwjsPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** nsfwjs's real MobileNetV2 cut below its classifier: shape, id and the same activations as the full network. */
class ImportedBaseTest {

    private static final String CUT = "out_relu";
    private static final Preprocessing NSFWJS_224 =
            new Preprocessing(224, 224, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);
    private static final long SEED = 11;

    private static LoadedNetwork mobilenet;

    @BeforeAll
    static void loadMobilenet() throws Exception {
        Path dir = Path.of(System.getProperty("imgstream.test-data.dir", "target/test-data"));
        Path tarball = dir.resolve("nsfwjs-4.4.0.tgz");
        assumeTrue(
                Files.isRegularFile(tarball), () -> tarball + " is missing: run model/src/test/fetch-nsfwjs.sh " + dir);
        mobilenet = NsfwjsPackage.open(tarball).model("mobilenet_v2").load();
    }

    @Test
    void shouldGiveChannelsFirst1280x7x7FeaturesEqualToTheFullNetworksActivations() {
        ImportedBase base =
                ImportedBase.cut("nsfwjs-mobilenet_v2.out_relu", mobilenet, CUT, CNN2DFormat.NHWC, NSFWJS_224);
        Nd4j.getRandom().setSeed(SEED);
        INDArray nchw = Nd4j.rand(DataType.FLOAT, NSFWJS_224.batchShape(1));

        INDArray features = base.features(nchw);
        INDArray full = mobilenet
                .graph()
                .feedForward(nchw.permute(0, 2, 3, 1).dup('c'), false)
                .get(CUT);

        assertThat(base.featureShape()).containsExactly(1280, 7, 7);
        assertThat(features.shape()).containsExactly(1, 1280, 7, 7);
        assertThat(features).isEqualTo(full.permute(0, 3, 1, 2));
        assertThat(base.graph().getConfiguration().getVertices()).doesNotContainKeys("dense_3", "flatten_1");
    }

    @Test
    void shouldTakeItsIdFromTheSourceWeights() {
        ImportedBase base =
                ImportedBase.cut("nsfwjs-mobilenet_v2.out_relu", mobilenet, CUT, CNN2DFormat.NHWC, NSFWJS_224);

        assertThat(base.id()).isEqualTo(new BaseModelId("nsfwjs-mobilenet_v2.out_relu", mobilenet.weightsSha256()));
        assertThat(base.bottleneckLayer()).isEqualTo(CUT);
        assertThat(base.dataFormat()).isEqualTo(CNN2DFormat.NHWC);
    }

    @Test
    void shouldNameTheSourceWhenTheCutLayerDoesNotExist() {
        assertThatThrownBy(() -> ImportedBase.cut("x", mobilenet, "block5_pool", CNN2DFormat.NHWC, NSFWJS_224))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no layer or vertex 'block5_pool'")
                .hasMessageContaining("mobilenet_v2");
    }
}
