package io.imgstream.model.features;

import io.imgstream.model.training.FashionMnistSample;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.training.TruncatedBase;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** An untrained two-convolution base on 28x28 greyscale and real Fashion-MNIST images for it: features in a blink. */
final class TinyBase {

    private static final SmallCnn.Config TINY = new SmallCnn.Config(4, 3, 8, 3, 2, 16, 0.25, 3e-3, 0);

    /** The base, cut after its second pooling: features of 8x7x7. */
    static final TruncatedBase BASE = TruncatedBase.of(
            SmallCnn.build(1, 28, 28, 3, 11, TINY), SmallCnn.POOL2, "tiny-cnn", FashionMnistSample.PREPROCESSING);

    private TinyBase() {}

    /** {@code count} different Fashion-MNIST training images. */
    static List<BufferedImage> images(int count) {
        LabeledImages sample = FashionMnistSample.trainingSubset();
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            images.add(sample.image(i * 7));
        }
        return images;
    }
}
