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
 * benchmarks share, within images 0–6999 as the issue fixes them: the first {@code labeledPerClass} images of each
 * class are labeled, the first fifth of each class's labeled images validate and the rest train; the last
 * {@code testImages} images before 7000, which never get labels, test (images 5000–6999 for 2,000), so the test set
 * is the same whatever the number of labels, as long as the two do not meet.
 *
 * @param labeled            the labeled images, in Fashion-MNIST's order
 * @param labeledNumbers     each labeled image's number in the test split
 * @param validationPerClass how many of each class's first labeled images validate
 * @param test               images that never get labels: numbers {@link #testFrom(int)} to 6999
 */
record FewLabels(LabeledImages labeled, int[] labeledNumbers, int validationPerClass, LabeledImages test) {

    /** Images 0 to this one (exclusive) of the test split are all the benchmarks use, as the issue fixes it. */
    static final int POOL = 7000;

    /** Most test images: the labeled ones need room below them. */
    static final int MAX_TEST_IMAGES = 6000;

    /** Fashion-MNIST's classes, by label. */
    static final List<String> CLASSES = List.of(
            "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    /**
     * Reads the split from Debian's files.
     *
     * @param labeledPerClass labeled images per class, at least 2
     * @param testImages      test images, the last ones before image 7000, at most 6000
     * @throws IllegalArgumentException if the labeled images reach the test images
     */
    static FewLabels read(int labeledPerClass, int testImages) throws IOException {
        check(labeledPerClass, testImages);
        Path fashionMnist = Path.of(TransferExperiment.DEBIAN_DIRECTORY);
        LabeledImages all = IdxImages.read(
                fashionMnist.resolve(TransferExperiment.TEST_IMAGES),
                fashionMnist.resolve(TransferExperiment.TEST_LABELS));
        int[] labeledNumbers = firstOfEachClass(all, labeledPerClass);
        int lastLabeled = labeledNumbers[labeledNumbers.length - 1];
        if (lastLabeled >= testFrom(testImages)) {
            throw new IllegalArgumentException("the first " + labeledPerClass + " images of each class reach image "
                    + lastLabeled + ", into the last " + testImages + " images before " + POOL
                    + " that test; use at most " + (POOL - 1 - lastLabeled) + " test images");
        }
        return new FewLabels(
                all.subset(labeledNumbers),
                labeledNumbers,
                Math.max(1, labeledPerClass / 5),
                all.subset(IntStream.range(testFrom(testImages), POOL).toArray()));
    }

    /** The first test image of a split with that many test images. */
    static int testFrom(int testImages) {
        return POOL - testImages;
    }

    /**
     * The numbers of the first {@code perClass} images of each class among images 0–6999, in order.
     *
     * @throws IllegalArgumentException if those images hold fewer than {@code perClass} of some class
     */
    private static int[] firstOfEachClass(LabeledImages all, int perClass) {
        int[] taken = new int[all.classCount()];
        int[] numbers = new int[perClass * taken.length];
        int found = 0;
        for (int i = 0; i < POOL && found < numbers.length; i++) {
            if (taken[all.label(i)]++ < perClass) {
                numbers[found++] = i;
            }
        }
        if (found < numbers.length) {
            throw new IllegalArgumentException(
                    "images 0-" + (POOL - 1) + " hold fewer than " + perClass + " images of some class");
        }
        return numbers;
    }

    /**
     * Checks the split's sizes.
     *
     * @throws IllegalArgumentException if there are fewer than 2 labeled images per class, or not 1 to 6000 test
     *                                  images
     */
    static void check(int labeledPerClass, int testImages) {
        if (labeledPerClass < 2 || testImages < 1 || testImages > MAX_TEST_IMAGES) {
            throw new IllegalArgumentException("need at least 2 labeled images per class and 1 to " + MAX_TEST_IMAGES
                    + " test images, got " + labeledPerClass + " and " + testImages);
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

    /** The number in the test split of test image {@code index}. */
    int testNumber(int index) {
        return testFrom(test.count()) + index;
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
