package io.imgstream.model.training;

import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Real labeled images for the model's tests: the first 300 training images of each Fashion-MNIST class, read from
 * Debian's {@code dataset-fashion-mnist} (which {@code .ci/run} installs), and how a small network sees them.
 */
public final class FashionMnistSample {

    /** 28 x 28 grey, scaled to [0, 1]. */
    public static final Preprocessing PREPROCESSING =
            new Preprocessing(28, 28, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);
    /** A {@link SmallCnn} of 8 and 16 filters: about 0.8 holdout accuracy in 5 epochs, 1.5 ms per image. */
    public static final SmallCnn.Config NETWORK = new SmallCnn.Config(8, 3, 16, 3, 2, 64, 0.5, 2e-3, 1e-4);

    private static final int PER_CLASS = 300;

    private static LabeledImages subset;

    private FashionMnistSample() {}

    /** The first 300 training images of each class, in the data set's order (read once per test JVM). */
    public static synchronized LabeledImages trainingSubset() {
        if (subset == null) {
            Path dataset = Path.of(TransferExperiment.DEBIAN_DIRECTORY);
            try {
                subset = IdxImages.read(
                                dataset.resolve(TransferExperiment.TRAIN_IMAGES),
                                dataset.resolve(TransferExperiment.TRAIN_LABELS))
                        .firstPerClass(PER_CLASS);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "Fashion-MNIST is missing from " + dataset + "; apt-get install dataset-fashion-mnist", e);
            }
        }
        return subset;
    }
}
