package io.imgstream.cli.bench;

import io.imgstream.bench.TransferBenchmark;
import io.imgstream.cli.BaseStoreOption;
import io.imgstream.cli.CliException;
import io.imgstream.model.augment.AugmentationPreset;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bases.BaseStore;
import io.imgstream.model.weights.WeightLoadException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream bench transfer}: test accuracy of {@code fit} on stored bases from few Fashion-MNIST labels,
 * against a CNN trained from scratch on the same labels (see {@link TransferBenchmark}).
 */
@Command(
        name = "transfer",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark what 'imgstream fit' learns from few labels: Fashion-MNIST (Debian's dataset-fashion-mnist), "
                    + "N labeled images per class from test images 0-6999, tested on the last of those images, "
                    + "which never get labels, on each stored base with and without fine-tuning, against a small "
                    + "CNN trained from scratch."
        })
public final class BenchTransferCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private BaseStoreOption bases;

    @Option(
            names = "--base",
            required = true,
            paramLabel = "BASE",
            description = "A stored base by name or id; repeat for several.")
    private List<String> baseRefs;

    @Mixin
    private FewLabelsOptions split;

    @Option(
            names = "--fine-tune-epochs",
            paramLabel = "N",
            defaultValue = "0",
            description = "Also fit with fine-tuning for this many epochs; 0: no fine-tuning (default).")
    private int fineTuneEpochs;

    @Option(
            names = "--unfreeze",
            paramLabel = "N",
            defaultValue = "0",
            description = "Base layers fine-tuning trains (default: VGG's block 5, or the last 10).")
    private int unfreeze;

    @Option(
            names = "--augment",
            paramLabel = "PRESET",
            defaultValue = "seeds",
            description = "What fine-tuning does to each training image: seeds, light or none, as for fit "
                    + "(default: ${DEFAULT-VALUE}).")
    private String augment;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            description = "Seed of every run (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            defaultValue = ".imgstream/bench-transfer",
            description = "Images, features and bundles (default: ${DEFAULT-VALUE}).")
    private Path workDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TransferBenchmark.Settings settings;
        List<BaseNetwork> networks = new ArrayList<>();
        try {
            settings = new TransferBenchmark.Settings(
                    split.labeled(),
                    split.testImages(),
                    fineTuneEpochs,
                    unfreeze,
                    seed,
                    workDir,
                    AugmentationPreset.of(augment));
            BaseStore store = bases.open();
            for (String ref : baseRefs) {
                networks.add(store.load(ref));
            }
        } catch (IllegalArgumentException | WeightLoadException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
        List<TransferBenchmark.Row> rows = new TransferBenchmark(line -> {
                    err.println(line);
                    err.flush();
                })
                .run(networks, settings);
        TransferBenchmark.print(rows, settings, out);
        out.println("Command: imgstream "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        out.flush();
        return CliException.OK;
    }
}
