package io.imgstream.cli.bench;

import io.imgstream.bench.ScaleBenchmark;
import io.imgstream.cli.CliException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream bench scale}: throughput against the number of scorer processes in one group (see
 * {@link ScaleBenchmark}), printed as a Markdown table with the command line that produced it.
 */
@Command(
        name = "scale",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark scale-out on the local stack (started if not running): for each instance count, that many "
                    + "'imgstream score' processes share one application id and score a backlog; prints throughput per "
                    + "instance count and checks every image got exactly one prediction.",
            "Uses random weights and PNG noise images: speed does not depend on weight or pixel values."
        })
public final class BenchScaleCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private BenchSetup setup;

    @Option(
            names = "--instances",
            split = ",",
            paramLabel = "N",
            defaultValue = "1,2,3",
            description = "Instance counts to measure (default: ${DEFAULT-VALUE}).")
    private List<Integer> instances;

    @Option(
            names = "--images",
            paramLabel = "N",
            defaultValue = "240",
            description = "References per run (default: ${DEFAULT-VALUE}).")
    private int images;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "8",
            description = "batch.size of every instance (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(
            names = "--threads-per-instance",
            paramLabel = "N",
            defaultValue = "1",
            description = "Native compute threads of each instance, OMP_NUM_THREADS (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "6",
            description = "Partitions of the input topic, the most instances that can share the work "
                    + "(default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Override
    public Integer call() throws Exception {
        BenchNetworkOptions model = setup.network();
        if (instances.stream().anyMatch(n -> n < 1 || n > partitions)) {
            throw new CliException(
                    "--instances must each be between 1 and --partitions (" + partitions + "), got " + instances,
                    CliException.BAD_ARGUMENT);
        }
        if (images < 1 || batchSize < 1 || threads < 1) {
            throw new CliException(
                    "--images, --batch and --threads-per-instance must be at least 1", CliException.BAD_ARGUMENT);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ScaleBenchmark.Settings settings = new ScaleBenchmark.Settings(
                instances,
                images,
                model.network(),
                model.inputSize(),
                batchSize,
                model.lingerMs(),
                threads,
                partitions);
        List<ScaleBenchmark.Run> runs = setup.run(
                err, running -> new ScaleBenchmark(running, setup.directory("bench-scale"), err).run(settings));
        ScaleBenchmark.print(runs, settings, out);
        out.println("Command: imgstream "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        out.flush();
        return CliException.OK;
    }
}
