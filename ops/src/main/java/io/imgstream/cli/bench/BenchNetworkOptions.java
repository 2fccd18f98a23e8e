package io.imgstream.cli.bench;

import io.imgstream.bench.ScoreBenchmark;
import picocli.CommandLine.Option;

/** The model a scoring benchmark scores with and how its batches wait. */
final class BenchNetworkOptions {

    @Option(
            names = "--model",
            paramLabel = "NETWORK",
            defaultValue = "VGG16",
            description = "Network to score with: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private ScoreBenchmark.Network network;

    @Option(
            names = "--input-size",
            paramLabel = "PIXELS",
            defaultValue = "150",
            description = "Side of the network's square input (default: ${DEFAULT-VALUE}).")
    private int inputSize;

    @Option(
            names = "--linger-ms",
            paramLabel = "MS",
            defaultValue = "20",
            description = "batch.linger.ms of every run (default: ${DEFAULT-VALUE}).")
    private long lingerMs;

    ScoreBenchmark.Network network() {
        return network;
    }

    int inputSize() {
        return inputSize;
    }

    long lingerMs() {
        return lingerMs;
    }
}
