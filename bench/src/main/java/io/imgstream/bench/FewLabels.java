package io.imgstream.bench;

import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.TransferExperiment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The few-labels split of Fashion-MNIST's test images (Debian's {@code dataset-fashion-mnist}) that the transfer
 * benchmarks share: the first {@code labeledPerClass} images of each class among images 0–6999 are labeled, the
 * first fifth of each class's labeled images validate and the rest train; images from 7000 on, which never get
 * labels, test.
 *
 * @param labeled            the labeled images, in Fashion-MNIST's order
 * @param validationPerClass how many of each class's first labeled images validate
 * @param test               images that never get labels
 */
record FewLabels(LabeledImages labeled, int validationPerClass, LabeledImages test) {

    /** The last test-split image the labeled set may come from, as the issue fixes it. */
    static final int LABELED_POOL = 7000;

    /** Fashion-MNIST's classes, by label. */
    static final List<String> CLASSES = List.of(
            "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    /**
     * Reads the split from Debian's files.
     *
     * @param labeledPerClass labeled images per class, at least 2
     * @param testImages      test images, from image 7000 on, at most 3000
     */
    static FewLabels read(int labeledPerClass, int testImages) throws IOException {
        check(labeledPerClass, testImages);
        Path fashionMnist = Path.of(TransferExperiment.DEBIAN_DIRECTORY);
        LabeledImages all = IdxImages.read(
                fashionMnist.resolve(TransferExperiment.TEST_IMAGES),
                fashionMnist.resolve(TransferExperiment.TEST_LABELS));
        LabeledImages labeled =
                all.subset(IntStream.range(0, LABELED_POOL).toArray()).firstPerClass(labeledPerClass);
        return new FewLabels(
                labeled,
                Math.max(1, labeledPerClass / 5),
                all.subset(
                        IntStream.range(LABELED_POOL, LABELED_POOL + testImages).toArray()));
    }

    /**
     * Checks the split's sizes.
     *
     * @throws IllegalArgumentException if there are fewer than 2 labeled images per class, or test images beyond the
     *                                  split's 10,000
     */
    static void check(int labeledPerClass, int testImages) {
        if (labeledPerClass < 2 || testImages < 1 || LABELED_POOL + testImages > 10_000) {
            throw new IllegalArgumentException("need at least 2 labeled images per class and 1 to "
                    + (10_000 - LABELED_POOL) + " test images, got " + labeledPerClass + " and " + testImages);
        }
    }

    /** Whether the labeled image at that index validates rather than trains. */
    boolean validates(int index) {
        int rank = 0;
        for (int i = 0; i < index; i++) {
            rank += labeled.label(i) == labeled.label(index) ? 1 : 0;
        }
        return rank < validationPerClass;
    }

    /** The labeled images to train on. */
    LabeledImages train() {
        return labeled.subset(
                IntStream.range(0, labeled.count()).filter(i -> !validates(i)).toArray());
    }

    /** The labeled images to choose settings and epochs with. */
    LabeledImages validation() {
        return labeled.subset(
                IntStream.range(0, labeled.count()).filter(this::validates).toArray());
    }
}
