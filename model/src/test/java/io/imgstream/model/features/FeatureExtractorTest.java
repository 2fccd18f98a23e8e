package io.imgstream.model.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.imgstream.model.base.VggBase;
import io.imgstream.model.training.FashionMnistSample;
import io.imgstream.model.training.TruncatedBase;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class FeatureExtractorTest {

    private static final TruncatedBase BASE = TinyBase.BASE;

    @Test
    void shouldMatchTheGraphOutputImageByImageAcrossFullAndPartialBatches() {
        List<BufferedImage> images = TinyBase.images(11);
        INDArray expected = BASE.graph().outputSingle(false, FashionMnistSample.PREPROCESSING.toBatch(images));

        List<BottleneckFeatures> features;
        try (FeatureExtractor extractor = new FeatureExtractor(BASE, 4)) {
            features = extractor.extract(images);
        }

        assertThat(features).hasSize(11);
        for (int i = 0; i < images.size(); i++) {
            assertThat(features.get(i).shape()).containsExactly(8, 7, 7);
            assertThat(features.get(i).values())
                    .as("image %d", i)
                    .containsExactly(expected.slice(i).dup().data().asFloat(), offset(1e-5f));
        }
    }

    @Test
    void shouldLoadAndComputeOnlyTheImagesMissingFromTheCache() {
        List<BufferedImage> images = TinyBase.images(5);
        List<String> ids = List.of("a", "b", "c", "d", "e");
        FeatureCache cache = new LruFeatureCache(100);
        AtomicInteger loads = new AtomicInteger();
        try (FeatureExtractor extractor = new FeatureExtractor(BASE, 2)) {
            List<BottleneckFeatures> first = extractor.extract(
                    ids.subList(0, 3),
                    id -> {
                        loads.incrementAndGet();
                        return images.get(ids.indexOf(id));
                    },
                    cache);
            assertThat(loads).hasValue(3);

            List<BottleneckFeatures> second = extractor.extract(
                    ids,
                    id -> {
                        loads.incrementAndGet();
                        return images.get(ids.indexOf(id));
                    },
                    cache);

            assertThat(loads).as("only d and e were missing").hasValue(5);
            assertThat(second.subList(0, 3)).isEqualTo(first);
            // Batches of different sizes may take different oneDNN kernels: equal within float rounding, not bit for
            // bit.
            assertThat(second.get(4).values())
                    .containsExactly(
                            extractor.extract(List.of(images.get(4))).get(0).values(), offset(1e-5f));
            assertThat(cache.size()).isEqualTo(5);
            assertThat(cache.get(new FeatureKey("d", BASE.id()))).contains(second.get(3));
        }
    }

    @Test
    void shouldRunVggOnTheFastPathWithTheSameFeaturesAsDl4j() {
        VggBase vgg = VggBase.random(VggBase.Variant.VGG16, 48, 48, 7);
        List<BufferedImage> images = TinyBase.images(3);
        INDArray expected = vgg.graph().outputSingle(false, vgg.preprocessing().toBatch(images));
        double scale = expected.amaxNumber().doubleValue();

        try (FeatureExtractor extractor = new FeatureExtractor(vgg, 2)) {
            List<BottleneckFeatures> features = extractor.extract(images);

            assertThat(extractor.usesFastPath()).isTrue();
            for (int i = 0; i < images.size(); i++) {
                assertThat(features.get(i).shape()).containsExactly(512, 1, 1);
                assertThat(features.get(i).values())
                        .as("image %d", i)
                        .containsExactly(expected.slice(i).dup().data().asFloat(), offset((float) (scale * 1e-5)));
            }
        }
    }
}
