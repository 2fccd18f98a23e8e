package io.imgstream.cli;

import io.imgstream.cli.bench.BenchLayersCommand;
import io.imgstream.cli.bench.BenchModelCommand;
import io.imgstream.cli.bench.BenchScaleCommand;
import io.imgstream.cli.bench.BenchScoreCommand;
import io.imgstream.cli.bench.BenchTransferCommand;
import picocli.CommandLine.Command;

/** Groups the benchmarks; running it alone is a usage error. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure this machine: benchmarks of the model code paths and the scoring pipeline.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            BenchModelCommand.class,
            BenchScoreCommand.class,
            BenchScaleCommand.class,
            BenchTransferCommand.class,
            BenchLayersCommand.class
        })
public final class BenchCommand extends GroupCommand {}
