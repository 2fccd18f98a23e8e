package io.imgstream.model.bases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.weights.CorruptWeightsException;
import io.imgstream.model.weights.TestData;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The real nsfwjs MobileNetV2 (npm {@code nsfwjs@4.4.0}) imported into the base store from its tarball. */
class NsfwjsBaseTest {

    @TempDir
    Path storeRoot;

    @Test
    void shouldImportMobileNetV2FromTheTarballWithNsfwjsPreprocessing() throws Exception {
        BaseStore store = new BaseStore(storeRoot);

        StoredBase stored = store.add(ImportRequest.of(TestData.nsfwjsTarball()));

        assertThat(stored.name()).isEqualTo("nsfwjs.mobilenet_v2");
        assertThat(stored.format()).isEqualTo(BaseFormat.NSFWJS);
        assertThat(stored.member()).isEqualTo("mobilenet_v2");
        assertThat(stored.architecture()).isEqualTo("mobilenet_v2");
        assertThat(stored.dataFormat()).isEqualTo(CNN2DFormat.NHWC);
        assertThat(stored.preprocessing().scaling()).isEqualTo(PixelScaling.UNIT);
        assertThat(stored.featureShape()).containsExactly(1280L, 7L, 7L);
        BaseNetwork base = store.load("nsfwjs.mobilenet_v2");
        assertThat(base.features(Nd4j.zeros(DataType.FLOAT, 2, 3, 224, 224)).shape())
                .containsExactly(2, 1280, 7, 7);
    }

    @Test
    void shouldImportInceptionV3WhoseConcatenationsAreChannelsLast() throws Exception {
        BaseStore store = new BaseStore(storeRoot);

        // A cut copies the graph; DL4J's copy used to concatenate the mixed blocks along axis 1 instead of 3.
        StoredBase stored = store.add(ImportRequest.of(TestData.nsfwjsTarball()).withMember("inception_v3"));

        assertThat(stored.name()).isEqualTo("nsfwjs.inception_v3");
        assertThat(stored.bottleneckLayer()).isEqualTo("mixed10");
        assertThat(stored.featureShape()).containsExactly(2048L, 8L, 8L);
        assertThat(store.load("nsfwjs.inception_v3")
                        .features(Nd4j.zeros(DataType.FLOAT, 1, 3, 299, 299))
                        .shape())
                .containsExactly(1, 2048, 8, 8);
    }

    @Test
    void shouldCutAtAnIntermediateLayerAndNameTheLastLayersWhenTheCutDoesNotExist() throws Exception {
        BaseStore store = new BaseStore(storeRoot);
        ImportRequest plain = ImportRequest.of(TestData.nsfwjsTarball());

        StoredBase block13 = store.add(plain.withCut("block_13_expand_relu").withName("mnv2-block13"));

        assertThat(block13.featureShape()).containsExactly(576L, 14L, 14L);
        assertThatThrownBy(() -> store.add(plain.withCut("no_such_layer").withName("broken")))
                .isInstanceOf(CorruptWeightsException.class)
                .hasMessageContaining("no_such_layer")
                .hasMessageContaining("its last layers:");
    }
}
