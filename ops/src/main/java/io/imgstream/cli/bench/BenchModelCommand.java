package io.imgstream.cli.bench;

import io.imgstream.bench.RefitComparison;
import io.imgstream.bench.OffHeapPeak;
import io.imgstream.model.base.VggBase;
import io.imgstream.model.inference.FastConvBase;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream bench model}: ND4J GEMM speed (the practical limit) against the VGG16 conv-base forward pass,
 * stock DL4J and {@link FastConvBase}, per input size and batch size, printed as a Markdown table.
 */
@Command(name = "model",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark the VGG16 conv base (include_top=false) forward pass: stock DL4J vs the fast raw-ops path, "
                    + "against ND4J GEMM GFLOP/s. Random weights: speed does not depend on weight values.",
            "Prints a Markdown table and the command line that produced it."
        })
public final class BenchModelCommand implements Callable<Integer> {

    private static final double GIGA = 1e9;
    private static final double MEBI = 1024.0 * 1024.0;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int CHANNELS = 3;
    private static final long SEED = 1234;
    /** Rough caffe-mode pixel range, so activations have realistic magnitudes for the difference check. */
    private static final double PIXEL_RANGE = 255.0;
    private static final int GEMM_WARMUP = 3;
    private static final int GEMM_REPEATS = 5;
    /** The machine is shared: the best of several rounds is the closest to the practical limit. */
    private static final int GEMM_ROUNDS = 4;
    private static final List<Integer> QUICK_SIZES = List.of(150);
    private static final List<Integer> QUICK_BATCHES = List.of(1, 8);
    private static final int QUICK_IMAGES = 8;

    @Spec
    private CommandSpec spec;

    @Option(names = "--sizes", split = ",", paramLabel = "PIXELS", defaultValue = "150,224",
            description = "Square input sizes (default: ${DEFAULT-VALUE}).")
    private List<Integer> sizes;

    @Option(names = "--batches", split = ",", paramLabel = "N", defaultValue = "1,8,32",
            description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    private List<Integer> batches;

    @Option(names = "--images", paramLabel = "N", defaultValue = "16",
            description = "Images timed per case and path: iterations = max(1, N / batch), after one warm-up "
                    + "iteration (default: ${DEFAULT-VALUE}).")
    private int images;

    @Option(names = "--gemm-size", paramLabel = "N", defaultValue = "2048",
            description = "Side of the square float matrices of the GEMM reference (default: ${DEFAULT-VALUE}).")
    private int gemmSize;

    @Option(names = "--skip-stock", description = "Time only the fast path (no stock DL4J columns, no difference).")
    private boolean skipStock;

    @Option(names = "--quick", description = "Override sizes, batches and images with 150, 1,8 and 8, and skip the "
            + "refit comparison: about a minute.")
    private boolean quick;

    @Option(names = "--refit-images", paramLabel = "N", defaultValue = "2000",
            description = "Images of the refit comparison: their VGG16 features at 150x150 computed on the fast path, "
                    + "then a Dense(256)-Dropout(0.5) head refit on them; 0 skips it (default: ${DEFAULT-VALUE}).")
    private int refitImages;

    @Option(names = "--refit-epochs", paramLabel = "N", defaultValue = "10",
            description = "Epochs of the head refit (default: ${DEFAULT-VALUE}).")
    private int refitEpochs;

    /** One measured path of one case. */
    private record Timing(double seconds, int images, long peakResidentBytes, long peakNativeBytes,
                          INDArray firstOutput) {
        double imagesPerSecond() {
            return images / seconds;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (quick) {
            sizes = QUICK_SIZES;
            batches = QUICK_BATCHES;
            images = QUICK_IMAGES;
        }
        err.printf("ND4J backend %s, %d threads available; measuring GEMM...%n",
                Nd4j.getBackend().getClass().getSimpleName(), Runtime.getRuntime().availableProcessors());
        err.flush();
        double gemm = gemmGflops();
        List<String> rows = new ArrayList<>();
        for (int size : sizes) {
            VggBase base = VggBase.random(VggBase.Variant.VGG16, size, size, SEED);
            ComputationGraph graph = base.graph();
            FastConvBase fast = FastConvBase.from(graph);
            double gflopPerImage = fast.flopsPerImage(size, size) / GIGA;
            for (int batch : batches) {
                err.printf("VGG16 %dx%d batch %d...%n", size, size, batch);
                err.flush();
                Nd4j.getRandom().setSeed(SEED);
                INDArray input = Nd4j.rand(DataType.FLOAT, batch, CHANNELS, size, size).subi(0.5).muli(PIXEL_RANGE);
                Timing fastTiming = time(fast::features, input);
                Timing stock = null;
                String stockFailure = "skipped";
                if (!skipStock) {
                    try {
                        stock = time(graph::outputSingle, input);
                    } catch (OutOfMemoryError | RuntimeException e) {
                        // Stock DL4J needs ~6 GB off-heap at 224x224 batch 32: report that case instead of losing the run.
                        stockFailure = "failed: " + e.getClass().getSimpleName();
                        err.printf("stock DL4J failed at %dx%d batch %d: %s%n", size, size, batch, e);
                    }
                }
                rows.add(row(size, batch, gflopPerImage, gemm, fastTiming, stock, stockFailure));
            }
        }
        out.println();
        out.printf(Locale.ROOT, "ND4J GEMM (%dx%d float mmul): %.1f GFLOP/s. VGG16 conv base with random weights "
                + "(speed does not depend on weight values); FLOPs counted from the architecture.%n%n",
                gemmSize, gemmSize, gemm);
        out.println("| input | batch | GFLOP/img | stock GFLOP/s | stock img/s | fast GFLOP/s | fast img/s "
                + "| fast/GEMM | fast/stock | max abs diff | stock RSS peak MiB | fast RSS peak MiB "
                + "| fast native peak MiB |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.forEach(out::println);
        out.println();
        out.println("Memory peaks, sampled every 10 ms during the case: RSS is the resident set size of the whole "
                + "process (JavaCPP Pointer.physicalBytes(): ND4J off-heap buffers plus the Java heap); native is RSS "
                + "minus the JVM's committed heap and non-heap memory at the same moment, an upper bound on what ND4J "
                + "and oneDNN hold off-heap.");
        if (refitImages > 0 && !quick) {
            out.println();
            out.println(new RefitComparison(refitImages, refitEpochs, SEED).run(err));
        }
        out.println("Command: imgstream " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        return 0;
    }

    private String row(int size, int batch, double gflopPerImage, double gemm, Timing fast, Timing stock,
            String stockFailure) {
        double fastGflops = fast.imagesPerSecond() * gflopPerImage;
        String stockColumns = stockFailure + " | n/a";
        String ratio = "n/a";
        String difference = "n/a";
        String stockPeak = "n/a";
        if (stock != null) {
            stockColumns = String.format(Locale.ROOT, "%.1f | %.2f", stock.imagesPerSecond() * gflopPerImage,
                    stock.imagesPerSecond());
            ratio = String.format(Locale.ROOT, "%.1fx", fast.imagesPerSecond() / stock.imagesPerSecond());
            difference = String.format(Locale.ROOT, "%.2e",
                    fast.firstOutput().sub(stock.firstOutput()).amaxNumber().doubleValue());
            stockPeak = String.format(Locale.ROOT, "%.0f", stock.peakResidentBytes() / MEBI);
        }
        return String.format(Locale.ROOT, "| %dx%d | %d | %.2f | %s | %.1f | %.2f | %.0f%% | %s | %s | %s | %.0f | %.0f |",
                size, size, batch, gflopPerImage, stockColumns, fastGflops, fast.imagesPerSecond(),
                100 * fastGflops / gemm, ratio, difference, stockPeak, fast.peakResidentBytes() / MEBI,
                fast.peakNativeBytes() / MEBI);
    }

    private Timing time(UnaryOperator<INDArray> forward, INDArray input) throws InterruptedException {
        int batch = (int) input.size(0);
        int iterations = Math.max(1, images / batch);
        System.gc(); // release the previous case's buffers so each peak is this case's own
        try (OffHeapPeak peak = new OffHeapPeak()) {
            // The warm-up allocates buffers and lets oneDNN pick its kernels; its output is kept for the comparison.
            INDArray first = forward.apply(input.dup()).dup();
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                forward.apply(input);
            }
            double seconds = (System.nanoTime() - start) / (double) NANOS_PER_SECOND;
            return new Timing(seconds, iterations * batch, peak.peakBytes(), peak.peakNativeBytes(), first);
        }
    }

    private double gemmGflops() {
        Nd4j.getRandom().setSeed(SEED);
        INDArray a = Nd4j.rand(DataType.FLOAT, gemmSize, gemmSize);
        INDArray b = Nd4j.rand(DataType.FLOAT, gemmSize, gemmSize);
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, gemmSize, gemmSize);
        for (int i = 0; i < GEMM_WARMUP; i++) {
            a.mmuli(b, c);
        }
        double seconds = Double.MAX_VALUE;
        for (int round = 0; round < GEMM_ROUNDS; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < GEMM_REPEATS; i++) {
                a.mmuli(b, c);
            }
            seconds = Math.min(seconds, (System.nanoTime() - start) / (double) NANOS_PER_SECOND);
        }
        return 2.0 * gemmSize * gemmSize * gemmSize * GEMM_REPEATS / seconds / GIGA;
    }
}
