package io.imgstream.training.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.demo.DemoModel;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bases.BaseStore;
import io.imgstream.model.bases.ImportRequest;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.ConcatenatedBase;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.weights.WeightLoadException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalInt;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseSpecTest {

    private static final Preprocessing ANY_VGG_INPUT =
            new Preprocessing(150, 150, 3, PixelScaling.CAFFE_BGR, ResizePolicy.SQUASH);

    @TempDir
    Path temp;

    @Test
    void shouldCutADl4jNetworkAtTheNamedLayer() throws Exception {
        ComputationGraph network = SmallCnn.build(1, 28, 28, 10, 1, DemoModel.NETWORK);
        Path zip = temp.resolve("net.zip");
        ModelSerializer.writeModel(network, zip.toFile(), false);

        BaseNetwork base = new BaseSpec(
                        BasePreset.NETWORK,
                        zip,
                        SmallCnn.POOL2,
                        "fm-conv",
                        DemoModel.PREPROCESSING,
                        OptionalInt.empty())
                .load();

        assertThat(base.featureShape()).containsExactly(16, 7, 7);
        assertThat(base.id().toString()).startsWith("fm-conv@");
    }

    @Test
    void shouldTakeABundlesNetworkAndPreprocessing() throws Exception {
        BundleManifest manifest = BundleManifest.create(
                "demo",
                1,
                DemoModel.classes(),
                DemoModel.BASE_MODEL_ID,
                DemoModel.PREPROCESSING,
                Instant.now(),
                Map.of(),
                null);
        StoredBundle stored = new FileSystemModelStore(temp.resolve("models"))
                .save(ModelBundle.of(manifest, SmallCnn.build(1, 28, 28, 10, 1, DemoModel.NETWORK)));
        Path bundle = Path.of(stored.uri());

        BaseNetwork base = new BaseSpec(
                        BasePreset.BUNDLE, bundle, SmallCnn.POOL2, "demo-conv", ANY_VGG_INPUT, OptionalInt.empty())
                .load();

        assertThat(base.preprocessing()).isEqualTo(DemoModel.PREPROCESSING);
        assertThat(base.bottleneckLayer()).isEqualTo(SmallCnn.POOL2);
        assertThatThrownBy(() -> new BaseSpec(
                                BasePreset.BUNDLE, bundle, "", "demo-conv", ANY_VGG_INPUT, OptionalInt.empty())
                        .load())
                .isInstanceOf(WeightLoadException.class)
                .hasMessageContaining("set base.layer");
    }

    @Test
    void shouldSayWhereTheMissingWeightsShouldBe() {
        assertThatThrownBy(() -> new BaseSpec(
                                BasePreset.VGG16, temp.resolve("vgg16.h5"), "", "x", ANY_VGG_INPUT, OptionalInt.empty())
                        .load())
                .isInstanceOf(WeightLoadException.class)
                .hasMessageContaining("vgg16.h5 do not exist")
                .hasMessageContaining("imgstream bases pull vgg16");
    }

    @Test
    void shouldConcatenateSeveralStoredBasesNamedInOneList() throws Exception {
        Path store = temp.resolve("bases");
        BaseStore bases = new BaseStore(store);
        for (int seed = 1; seed <= 2; seed++) {
            Path zip = temp.resolve("small-" + seed + ".zip");
            ModelSerializer.writeModel(SmallCnn.build(3, 32, 32, 10, seed), zip.toFile(), false);
            bases.add(ImportRequest.of(zip)
                    .withName("small-" + seed)
                    .withCut(SmallCnn.POOL2)
                    .withInputSize(32)
                    .withScaling(PixelScaling.UNIT));
        }
        BaseNetwork one = bases.load("small-1");

        BaseNetwork both = new BaseSpec(
                        BasePreset.STORED, store, "", "small-1, small-2", ANY_VGG_INPUT, OptionalInt.empty())
                .load();

        assertThat(both).isInstanceOf(ConcatenatedBase.class);
        assertThat(both.modelId())
                .isEqualTo(one.id() + "+" + bases.find("small-2").id());
        assertThat(both.featureShape())
                .containsExactly(2 * Arrays.stream(one.featureShape()).reduce(1, (a, b) -> a * b));
        assertThat(both.preprocessing().height()).as("the first base's size").isEqualTo(32);
        assertThatThrownBy(() -> new BaseSpec(
                                BasePreset.STORED, store, "", "small-1,missing", ANY_VGG_INPUT, OptionalInt.empty())
                        .load())
                .isInstanceOf(WeightLoadException.class)
                .hasMessageContaining("missing");
    }
}
