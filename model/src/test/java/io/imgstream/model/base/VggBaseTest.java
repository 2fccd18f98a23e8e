package io.imgstream.model.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.model.preprocess.PixelScaling;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * VGG16/VGG19 conv bases: Keras layer names, bottleneck shapes, ids and weight copying. One image per forward pass: 13
 * GFLOP at 150.
 */
class VggBaseTest {

    private static final long SEED = 42;
    /** Shared because initialising 14.7M random weights takes seconds on a busy two-core machine. */
    private static final VggBase VGG16_150 = VggBase.random(VggBase.Variant.VGG16, 150, 150, SEED);

    private static final VggBase VGG19_150 = VggBase.random(VggBase.Variant.VGG19, 150, 150, SEED);

    @Test
    void shouldGive512x4x4FeaturesAt150() {
        VggBase vgg16 = VGG16_150;

        INDArray features = vgg16.features(randomImages(vgg16, 1));

        assertThat(features.shape()).containsExactly(1, 512, 4, 4);
        assertThat(vgg16.featureShape()).containsExactly(512, 4, 4);
    }

    @Test
    @Tag("big-model")
    void shouldGive512x7x7FeaturesAt224() {
        VggBase vgg16 = VggBase.random(VggBase.Variant.VGG16, 224, 224, SEED);

        INDArray features = vgg16.features(randomImages(vgg16, 1));

        assertThat(features.shape()).containsExactly(1, 512, 7, 7);
        assertThat(vgg16.featureShape()).containsExactly(512, 7, 7);
    }

    @Test
    void shouldNameEveryVgg16LayerAsKerasDoes() {
        VggBase vgg16 = VGG16_150;

        assertThat(vgg16.graph().getConfiguration().getTopologicalOrderStr())
                .containsExactly(
                        VggBase.INPUT,
                        "block1_conv1",
                        "block1_conv2",
                        "block1_pool",
                        "block2_conv1",
                        "block2_conv2",
                        "block2_pool",
                        "block3_conv1",
                        "block3_conv2",
                        "block3_conv3",
                        "block3_pool",
                        "block4_conv1",
                        "block4_conv2",
                        "block4_conv3",
                        "block4_pool",
                        "block5_conv1",
                        "block5_conv2",
                        "block5_conv3",
                        "block5_pool");
        assertThat(vgg16.graph().numParams())
                .as("Keras VGG16 include_top=False has 14,714,688 parameters")
                .isEqualTo(14_714_688L);
        assertThat(vgg16.bottleneckLayer()).isEqualTo("block5_pool");
        assertThat(vgg16.preprocessing().scaling()).isEqualTo(PixelScaling.CAFFE_BGR);
    }

    @Test
    void shouldBuildVgg19WithFourConvolutionsInTheLastThreeBlocks() {
        VggBase vgg19 = VGG19_150;

        List<String> layers = new ArrayList<>(vgg19.graph().getConfiguration().getTopologicalOrderStr());

        assertThat(layers)
                .contains("block3_conv4", "block4_conv4", "block5_conv4")
                .doesNotContain("block1_conv3");
        assertThat(vgg19.graph().numParams())
                .as("Keras VGG19 include_top=False has 20,024,384 parameters")
                .isEqualTo(20_024_384L);
        assertThat(vgg19.id().name()).isEqualTo("vgg19");
        assertThat(vgg19.featureShape()).containsExactly(512, 4, 4);
    }

    @Test
    void shouldTellRandomWeightsApartByIdAndRepeatThemForTheSameSeed() {
        VggBase first = VGG16_150;
        VggBase same = VggBase.random(VggBase.Variant.VGG16, 150, 150, SEED);
        VggBase other = VggBase.random(VggBase.Variant.VGG16, 150, 150, SEED + 1);

        assertThat(same.id()).isEqualTo(first.id());
        assertThat(other.id()).isNotEqualTo(first.id());
        assertThat(first.id().name()).isEqualTo("vgg16");
    }

    @Test
    void shouldComputeTheSameFeaturesAfterCopyingWeightsByLayerName() {
        VggBase source = VGG16_150;
        VggBase target = VggBase.random(VggBase.Variant.VGG16, 150, 150, SEED + 1);
        INDArray images = randomImages(source, 1);

        VggBase copied = target.withWeightsFrom(source.graph());

        assertThat(copied.id()).isEqualTo(source.id());
        assertThat(copied.features(images)).isEqualTo(source.features(images));
        assertThat(target.id()).as("the original is unchanged").isNotEqualTo(source.id());
    }

    @Test
    void shouldRefuseWeightsFromANetworkWithoutTheVggLayers() {
        assertThatThrownBy(() -> VGG19_150.withWeightsFrom(VGG16_150.graph()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("block3_conv4");
    }

    @Test
    void shouldRefuseAnInputTooSmallForFivePoolings() {
        assertThatThrownBy(() -> VggBase.random(VggBase.Variant.VGG16, 16, 150, SEED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32x32");
    }

    private static INDArray randomImages(VggBase base, int count) {
        Nd4j.getRandom().setSeed(SEED);
        return Nd4j.rand(DataType.FLOAT, base.preprocessing().batchShape(count))
                .muli(255)
                .subi(128);
    }
}
