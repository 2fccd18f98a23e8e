package io.imgstream.model.bases;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.inference.ChannelsLastFastBase;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ResNet50 and Xception as Keras's {@code model.save()} writes them, their layers as {@code keras/applications}
 * builds them, with seeded random weights (no weights of either reach this machine; see {@code
 * src/test/python/keras_application_random.py}): imported as {@code imgstream bases import} imports them, and run
 * whole on the channels-last fast path, every normalisation folded, to within the 1e-4 of DL4J's own layers.
 */
class KerasApplicationImportTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // The smallest inputs keeping every stride: ResNet50 halves 5 times, Xception's first convolutions are
        // unpadded (Keras's own minimum for it is 71).
        "resnet50, 64, conv5_block3_out, 2, conv5_block3_add",
        "xception, 71, block14_sepconv2_act, 3, block13_pool",
    })
    void shouldImportAndRunWholeOnTheFastPathAsDl4jsLayersDo(
            String architecture, int size, String bottleneck, long side, String innerLayer) throws Exception {
        Path h5 = dir.resolve(architecture + ".h5");
        H5pyScript.run("keras_application_random.py", architecture, h5.toString(), Integer.toString(size));
        BaseStore store = new BaseStore(dir.resolve("store"));

        StoredBase stored = store.add(ImportRequest.of(h5)
                .withArchitecture(KerasApplication.named(architecture))
                .withInputSize(size));

        assertThat(stored.architecture()).isEqualTo(architecture);
        assertThat(stored.format()).isEqualTo(BaseFormat.KERAS_MODEL);
        assertThat(stored.dataFormat()).isEqualTo(CNN2DFormat.NHWC);
        assertThat(stored.bottleneckLayer()).isEqualTo(bottleneck);
        assertThat(stored.featureShape()).containsExactly(2048L, side, side);
        BaseNetwork base = store.load(architecture);
        Nd4j.getRandom().setSeed(13);
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, size, size).muli(2).subi(1);

        ChannelsLastFastBase fast = ChannelsLastFastBase.from(base.graph());
        INDArray features = fast.features(images);

        INDArray expected = base.features(images);
        assertThat(features.shape()).containsExactly(2, 2048, side, side);
        double difference = Transforms.abs(features.sub(expected)).maxNumber().doubleValue();
        System.out.printf(
                "ChannelsLastFastBase on %s %s: max abs difference %.2e on activations up to %.1f%n",
                architecture,
                bottleneck,
                difference,
                Transforms.abs(expected).maxNumber().doubleValue());
        assertThat(difference).isLessThanOrEqualTo(TOLERANCE);
        assertThat(fast.layerNames())
                .contains(innerLayer, bottleneck)
                .as("every normalisation folded")
                .noneMatch(name -> name.endsWith("_bn") || name.startsWith("batch_normalization"));
    }
}
