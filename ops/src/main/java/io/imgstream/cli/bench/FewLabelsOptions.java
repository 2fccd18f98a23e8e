package io.imgstream.cli.bench;

import picocli.CommandLine.Option;

/** The size of the Fashion-MNIST few-labels split the transfer benchmarks share. */
final class FewLabelsOptions {

    @Option(
            names = "--labeled",
            paramLabel = "N",
            defaultValue = "50",
            description = "Labeled images per class (default: ${DEFAULT-VALUE}).")
    private int labeled;

    @Option(
            names = "--test-images",
            paramLabel = "N",
            defaultValue = "2000",
            description = "Test images, the last ones before image 7000; they never get labels (default: "
                    + "${DEFAULT-VALUE}).")
    private int testImages;

    int labeled() {
        return labeled;
    }

    int testImages() {
        return testImages;
    }
}
