package io.imgstream.cli.bench;

import io.imgstream.bench.ModelBenchmark;
import io.imgstream.bench.TorchPeer;
import io.imgstream.cli.BaseStoreOption;
import io.imgstream.cli.CliException;
import io.imgstream.model.bases.BaseStore;
import io.imgstream.model.bases.StoredBase;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.weights.WeightLoadException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream bench model}: runs the {@link ModelBenchmark} (ND4J GEMM speed against the VGG16 conv-base
 * forward pass, stock DL4J and the fast path, stored bases, and the same networks in PyTorch where it is installed)
 * and prints its Markdown tables with the command line.
 */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark the VGG16 conv base (include_top=false) forward pass: stock DL4J vs the fast raw-ops path, "
                    + "against ND4J GEMM GFLOP/s. Random weights: speed does not depend on weight values.",
            "Stored bases (--base) run at their own input size. Where python3 imports torch and torchvision "
                    + "(Debian: python3-torch python3-torchvision), the same networks run in PyTorch afterwards, "
                    + "with ND4J's thread count, for a PyTorch img/s column and the ratio.",
            "Prints Markdown tables and the command line that produced them."
        })
public final class BenchModelCommand implements Callable<Integer> {

    private static final List<Integer> QUICK_SIZES = List.of(150);
    private static final List<Integer> QUICK_BATCHES = List.of(1, 8);
    private static final int QUICK_IMAGES = 8;

    @Spec
    private CommandSpec spec;

    @Mixin
    private BaseStoreOption bases;

    @Option(
            names = "--base",
            paramLabel = "BASE",
            description = "Also time a stored base by name or id, at its own input size and each batch size; "
                    + "repeat for several.")
    private List<String> baseRefs = new ArrayList<>();

    @Option(
            names = "--python",
            paramLabel = "PATH",
            defaultValue = TorchPeer.DEFAULT_PYTHON,
            description = "Python interpreter of the PyTorch column (default: ${DEFAULT-VALUE}).")
    private String python;

    @Option(
            names = "--peer-timeout",
            paramLabel = "SECONDS",
            defaultValue = "600",
            description = "Longest the PyTorch run of all cases may take (default: ${DEFAULT-VALUE}).")
    private long peerTimeoutSeconds;

    @Option(names = "--no-peer", description = "Leave out the PyTorch column.")
    private boolean noPeer;

    @Option(
            names = "--sizes",
            split = ",",
            paramLabel = "PIXELS",
            defaultValue = "150,224",
            description = "Square input sizes (default: ${DEFAULT-VALUE}).")
    private List<Integer> sizes;

    @Option(
            names = "--batches",
            split = ",",
            paramLabel = "N",
            defaultValue = "1,8,32",
            description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    private List<Integer> batches;

    @Option(
            names = "--images",
            paramLabel = "N",
            defaultValue = "16",
            description = "Images timed per case and path: iterations = max(1, N / batch), after one warm-up "
                    + "iteration (default: ${DEFAULT-VALUE}).")
    private int images;

    @Option(
            names = "--gemm-size",
            paramLabel = "N",
            defaultValue = "2048",
            description = "Side of the square float matrices of the GEMM reference (default: ${DEFAULT-VALUE}).")
    private int gemmSize;

    @Option(names = "--skip-stock", description = "Time only the fast path (no stock DL4J columns, no difference).")
    private boolean skipStock;

    @Option(
            names = "--quick",
            description = "Override sizes, batches and images with 150, 1,8 and 8, and skip the "
                    + "feature benchmark: about a minute.")
    private boolean quick;

    @Option(
            names = "--refit-images",
            paramLabel = "N",
            defaultValue = "2000",
            description = "Image files of the feature benchmark: their features computed as fit and the worker compute "
                    + "them (decoding included) by VGG16 at 150x150 and each --base, against raw inference, then a "
                    + "Dense(256)-Dropout(0.5) head refit on them; 0 skips it (default: ${DEFAULT-VALUE}).")
    private int refitImages;

    @Option(
            names = "--refit-files",
            paramLabel = "DIR",
            description = "Images of the feature benchmark, the first --refit-images of them in name order "
                    + "(default: Fashion-MNIST test images written as 448x448 JPEG files).")
    private Path refitFiles;

    @Option(
            names = "--refit-epochs",
            paramLabel = "N",
            defaultValue = "10",
            description = "Epochs of the head refit (default: ${DEFAULT-VALUE}).")
    private int refitEpochs;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ModelBenchmark.Settings settings = quick
                ? new ModelBenchmark.Settings(
                        QUICK_SIZES, QUICK_BATCHES, QUICK_IMAGES, gemmSize, skipStock, 0, 0, Optional.empty())
                : new ModelBenchmark.Settings(
                        sizes,
                        batches,
                        images,
                        gemmSize,
                        skipStock,
                        refitImages,
                        refitEpochs,
                        Optional.ofNullable(refitFiles));
        if (refitImages != 0 && refitImages < FeatureExtractor.DEFAULT_BATCH_SIZE) {
            throw new CliException(
                    "--refit-images must be 0 (no feature benchmark) or at least " + FeatureExtractor.DEFAULT_BATCH_SIZE
                            + ", one minibatch",
                    CliException.BAD_ARGUMENT);
        }
        if (peerTimeoutSeconds < 1) {
            throw new CliException("--peer-timeout must be at least 1 second", CliException.BAD_ARGUMENT);
        }
        List<ModelBenchmark.StoredCase> stored = new ArrayList<>();
        try {
            BaseStore store = bases.open();
            for (String ref : baseRefs) {
                StoredBase base = store.find(ref);
                stored.add(ModelBenchmark.StoredCase.of(base, store.load(base, OptionalInt.empty())));
            }
        } catch (WeightLoadException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
        Optional<TorchPeer> peer = noPeer
                ? Optional.empty()
                : Optional.of(TorchPeer.shipped(python, Duration.ofSeconds(peerTimeoutSeconds)));
        err.printf(
                "ND4J backend %s, %d threads available; measuring GEMM...%n",
                Nd4j.getBackend().getClass().getSimpleName(),
                Runtime.getRuntime().availableProcessors());
        err.flush();
        String report = new ModelBenchmark(settings, stored, peer).run(err);
        out.println();
        out.print(report);
        out.println("Command: imgstream "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        return 0;
    }
}
