package io.imgstream.cli.bench;

import io.imgstream.bench.ScoreBenchmark;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream bench score}: the scoring pipeline through the local stack against the model alone (see
 * {@link ScoreBenchmark}), printed as Markdown tables with the command line that produced them.
 */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark the scoring pipeline on the local stack (started if not running): throughput per batch size "
                    + "against raw batched inference of the same model, latency at a fixed load, and model swaps.",
            "Uses random weights and PNG noise images: speed does not depend on weight or pixel values."
        })
public final class BenchScoreCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private BenchSetup setup;

    @Option(
            names = "--images",
            paramLabel = "N",
            defaultValue = "320",
            description = "References per throughput run (default: ${DEFAULT-VALUE}).")
    private int images;

    @Option(
            names = "--batches",
            split = ",",
            paramLabel = "N",
            defaultValue = "8,1,32",
            description = "Batch sizes; the first is also used for latency and swaps (default: ${DEFAULT-VALUE}).")
    private List<Integer> batchSizes;

    @Option(
            names = "--load",
            paramLabel = "FRACTION",
            defaultValue = "0.5",
            description =
                    "Offered load of the latency run, as a fraction of measured capacity (default: ${DEFAULT-VALUE}).")
    private double load;

    @Option(
            names = "--latency-images",
            paramLabel = "N",
            defaultValue = "160",
            description = "References of the latency run (default: ${DEFAULT-VALUE}).")
    private int latencyImages;

    @Option(
            names = "--swaps",
            paramLabel = "N",
            defaultValue = "5",
            description = "Versions promoted during the latency run (default: ${DEFAULT-VALUE}).")
    private int swaps;

    @Override
    public Integer call() throws Exception {
        BenchNetworkOptions model = setup.network();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ScoreBenchmark.Report report = setup.run(
                err,
                running -> new ScoreBenchmark(running, setup.directory("bench-score"), err)
                        .run(new ScoreBenchmark.Settings(
                                images,
                                model.network(),
                                model.inputSize(),
                                batchSizes,
                                model.lingerMs(),
                                load,
                                latencyImages,
                                swaps)));
        print(report, out);
        return 0;
    }

    /** Where each throughput run's time went, thread by thread, to tell what holds the pipeline below raw. */
    private static void printBreakdown(ScoreBenchmark.Report report, PrintWriter out) {
        out.println();
        out.println("Where each throughput run's time went, from the first image's arrival at the scorer to its last "
                + "prediction (shares of that wall time; fetch pool: of its threads' capacity; CPU: of all the "
                + "machine's cores):");
        out.println();
        out.println("| batch size | wall s | fetch+decode ms/img | fetch pool busy | forward pass ms/img, pipeline "
                + "| forward pass ms/img, raw | inference thread busy | stream thread waiting on fetches "
                + "| stream thread waiting on forward passes | commits | stream thread committing | mean pass size "
                + "| batches closed by linger "
                + "| this JVM's CPU | machine's CPU busy |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (ScoreBenchmark.Throughput t : report.throughput()) {
            ScoreBenchmark.Breakdown b = t.breakdown();
            out.printf(
                    Locale.ROOT,
                    "| %d | %.1f | %.1f | %.0f%% | %.1f | %.1f | %.0f%% | %.0f%% | %.0f%% | %d | %.0f%% | %.1f "
                            + "| %d of %d | %.0f%% | %s |%n",
                    t.batchSize(),
                    b.wallSeconds(),
                    b.fetchMsPerImage(),
                    100 * b.fetchPoolBusy(),
                    b.inferenceMsPerImage(),
                    1000 / t.rawImagesPerSecond(),
                    100 * b.inferenceBusy(),
                    100 * b.streamFetchWaitSeconds() / b.wallSeconds(),
                    100 * b.streamInferenceWaitSeconds() / b.wallSeconds(),
                    b.commits(),
                    100 * b.commitSeconds() / b.wallSeconds(),
                    (double) b.images() / b.passes(),
                    b.lingerClosed(),
                    b.lingerClosed() + b.fullClosed(),
                    100 * b.processCpu(),
                    Double.isNaN(b.machineCpu()) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * b.machineCpu()));
        }
        out.println();
        out.println("The inference thread is idle for the rest of its time. A forward pass slower in the pipeline than "
                + "raw, with the inference thread always busy, is the cost of sharing the cores: with fetching, "
                + "decoding and Kafka in this JVM, and with the broker, the registry and anything else on the "
                + "machine (machine's CPU busy minus this JVM's).");
    }

    private void print(ScoreBenchmark.Report report, PrintWriter out) {
        BenchNetworkOptions model = setup.network();
        out.println();
        out.printf(
                Locale.ROOT,
                "%s at %dx%d, exactly_once_v2, batch.linger.ms=%d, %d references per run.%n%n",
                model.network(),
                model.inputSize(),
                model.inputSize(),
                model.lingerMs(),
                images);
        out.println(
                "| batch size | pipeline img/s | raw inference img/s | pipeline / raw | pipeline / pipeline at batch 1 "
                        + "|");
        out.println("|---:|---:|---:|---:|---:|");
        double batchOne = report.throughput().stream()
                .filter(t -> t.batchSize() == 1)
                .mapToDouble(ScoreBenchmark.Throughput::pipelineImagesPerSecond)
                .findFirst()
                .orElse(Double.NaN);
        for (ScoreBenchmark.Throughput t : report.throughput()) {
            out.printf(
                    Locale.ROOT,
                    "| %d | %.1f | %.1f | %.2f | %.2f |%n",
                    t.batchSize(),
                    t.pipelineImagesPerSecond(),
                    t.rawImagesPerSecond(),
                    t.pipelineImagesPerSecond() / t.rawImagesPerSecond(),
                    t.pipelineImagesPerSecond() / batchOne);
        }
        printBreakdown(report, out);
        ScoreBenchmark.Latency l = report.latency();
        out.println();
        out.printf(
                Locale.ROOT,
                "Latency at %.0f img/s offered (batch size %d): p50 %.0f ms, p99 %.0f ms, publish to "
                        + "committed prediction read; median forward pass %.1f ms, mean batch %.1f images; linger %d "
                        + "ms, "
                        + "commit.interval.ms 100 (exactly_once_v2).%n",
                l.offeredPerSecond(),
                batchSizes.get(0),
                l.p50Ms(),
                l.p99Ms(),
                l.inferenceMs(),
                l.meanBatch(),
                model.lingerMs());
        out.printf(
                Locale.ROOT,
                "%d predictions, %d images with more than one, %d with none.%n%n",
                l.predictions(),
                l.duplicates(),
                l.missing());
        out.println("Model swaps (bundle load: reading, verifying and building the version's scorer, measured alone; "
                + "none: the next version was announced before a batch ran with this one):");
        out.println();
        out.println("| version | announcement to first prediction | bundle load | difference |");
        out.println("|---:|---:|---:|---:|");
        for (ScoreBenchmark.Swap swap : l.swaps()) {
            out.printf(
                    Locale.ROOT,
                    "| %d | %s | %.0f ms | %s |%n",
                    swap.version(),
                    swap.adoptionMs() < 0 ? "none" : swap.adoptionMs() + " ms",
                    swap.loadMs(),
                    swap.adoptionMs() < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f ms", swap.overLoadMs()));
        }
        out.println();
        out.printf(
                Locale.ROOT,
                "Goal: announcement to first prediction ≤ bundle load + %d s at p99. Difference at p99: %s: %s.%n",
                ScoreBenchmark.SWAP_GOAL_OVER_LOAD.toSeconds(),
                Double.isInfinite(l.swapOverLoadP99Ms())
                        ? "a version was never adopted"
                        : String.format(Locale.ROOT, "%.0f ms", l.swapOverLoadP99Ms()),
                l.swapGoalMet() ? "PASS" : "short of goal");
        out.println("Command: imgstream "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        out.flush();
    }
}
