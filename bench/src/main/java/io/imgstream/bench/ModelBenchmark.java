package io.imgstream.bench;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.VggBase;
import io.imgstream.model.bases.KerasApplication;
import io.imgstream.model.bases.StoredBase;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.inference.FastBase;
import io.imgstream.model.inference.FastConvBase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J GEMM speed (the practical limit) against the VGG16 conv-base forward pass, stock DL4J and
 * {@link FastConvBase}, per input size and batch size, with memory peaks and the largest output difference; stored
 * bases at their own input size on the path {@code FeatureExtractor} takes for them; beside both, where torch is
 * installed, the same networks in PyTorch ({@link TorchPeer}); then, optionally, the {@link FeatureThroughput}. Random
 * weights for VGG16 and PyTorch: speed does not depend on weight values.
 *
 * <p>Not thread-safe; run one at a time, alone on the machine, for figures worth reporting.
 */
public final class ModelBenchmark {

    private static final double GIGA = 1e9;
    private static final double MEBI = 1024.0 * 1024.0;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int CHANNELS = 3;
    private static final long SEED = 1234;
    /** VGG16's input in the feature throughput, the seeds' 150x150. */
    private static final int REFIT_SIDE = 150;
    /** Rough caffe-mode pixel range, so activations have realistic magnitudes for the difference check. */
    private static final double PIXEL_RANGE = 255.0;

    /** Untimed forward passes before each case's timed ones, on both sides: {@link #time} makes exactly one. */
    private static final int WARMUP_ITERATIONS = 1;

    private static final int GEMM_WARMUP = 3;
    private static final int GEMM_REPEATS = 5;
    /** The machine is shared: the best of several rounds is the closest to the practical limit. */
    private static final int GEMM_ROUNDS = 4;

    /**
     * What to measure.
     *
     * @param sizes       square input sizes, pixels
     * @param batches     batch sizes
     * @param images      images timed per case and path: iterations = max(1, images / batch), after one warm-up
     * @param gemmSize    side of the square float matrices of the GEMM reference
     * @param skipStock   time only the fast path
     * @param refitImages image files of the feature throughput and refit comparison; 0 skips it
     * @param refitEpochs epochs of its head refit
     * @param refitFiles  where its image files are; empty: Fashion-MNIST test images written as JPEG files
     */
    public record Settings(
            List<Integer> sizes,
            List<Integer> batches,
            int images,
            int gemmSize,
            boolean skipStock,
            int refitImages,
            int refitEpochs,
            Optional<Path> refitFiles) {

        public Settings {
            sizes = List.copyOf(sizes);
            batches = List.copyOf(batches);
            Objects.requireNonNull(refitFiles, "refitFiles");
        }
    }

    /**
     * A stored base, measured at its own input size.
     *
     * @param name             its name in the store
     * @param network          the loaded base
     * @param peerArchitecture the architecture PyTorch runs for it: only a whole {@code include_top=false} Keras
     *                         application has one, a base cut at another layer does not
     * @param noPeerReason     why there is none, where there is none
     */
    public record StoredCase(String name, BaseNetwork network, Optional<String> peerArchitecture, String noPeerReason) {

        public StoredCase {
            Objects.requireNonNull(network, "network");
        }

        /**
         * @param stored  the store's record of the base
         * @param network the base, loaded at its recorded input size
         */
        public static StoredCase of(StoredBase stored, BaseNetwork network) {
            Optional<KerasApplication> application = KerasApplication.find(stored.architecture());
            if (application.isEmpty()) {
                return new StoredCase(
                        stored.name(), network, Optional.empty(), "architecture " + stored.architecture());
            }
            if (!application.get().bottleneckLayer().equals(stored.bottleneckLayer())) {
                return new StoredCase(stored.name(), network, Optional.empty(), "cut at " + stored.bottleneckLayer());
            }
            return new StoredCase(
                    stored.name(), network, Optional.of(application.get().baseName()), "");
        }
    }

    /** A measured row waiting for its PyTorch columns, which are known only once every case ran. */
    private record PendingRow(
            String columns, double imagesPerSecond, Optional<TorchPeer.Case> peerCase, String noPeer) {}

    /** One measured path of one case. */
    private record Timing(
            double seconds, int images, long peakResidentBytes, long peakNativeBytes, INDArray firstOutput) {
        double imagesPerSecond() {
            return images / seconds;
        }
    }

    private final Settings settings;
    private final List<StoredCase> storedCases;
    private final Optional<TorchPeer> peer;

    /**
     * @param settings    what to measure
     * @param storedCases stored bases to measure beside VGG16, at each of the settings' batch sizes
     * @param peer        the PyTorch peer; empty leaves its columns out
     */
    public ModelBenchmark(Settings settings, List<StoredCase> storedCases, Optional<TorchPeer> peer) {
        this.settings = settings;
        this.storedCases = List.copyOf(storedCases);
        this.peer = peer;
    }

    /**
     * Runs every case and returns the report: a paragraph on GEMM, the Markdown table, a note on the memory columns
     * and, unless skipped, the refit comparison.
     *
     * @param progress where progress lines go
     */
    public String run(PrintWriter progress) throws InterruptedException {
        StringWriter report = new StringWriter();
        PrintWriter out = new PrintWriter(report);
        double gemm = gemmGflops();
        PeerColumn column = PeerColumn.probe(peer, Nd4j.getEnvironment().maxThreads(), WARMUP_ITERATIONS, progress);
        List<PendingRow> vggRows = new ArrayList<>();
        for (int size : settings.sizes()) {
            VggBase base = VggBase.random(VggBase.Variant.VGG16, size, size, SEED);
            ComputationGraph graph = base.graph();
            FastConvBase fast = FastConvBase.from(graph);
            double gflopPerImage = fast.flopsPerImage(size, size) / GIGA;
            for (int batch : settings.batches()) {
                progress.printf("VGG16 %dx%d batch %d...%n", size, size, batch);
                progress.flush();
                INDArray input = randomInput(batch, size, size);
                Timing fastTiming = time(fast::features, input);
                Timing stock = null;
                String stockFailure = "skipped";
                if (!settings.skipStock()) {
                    try {
                        stock = time(graph::outputSingle, input);
                    } catch (OutOfMemoryError | RuntimeException e) {
                        // Stock DL4J needs ~6 GB off-heap at 224x224 batch 32: report that case instead of losing the
                        // run.
                        stockFailure = "failed: " + e.getClass().getSimpleName();
                        progress.printf("stock DL4J failed at %dx%d batch %d: %s%n", size, size, batch, e);
                    }
                }
                Optional<TorchPeer.Case> peerCase =
                        Optional.of(new TorchPeer.Case("vgg16", size, batch, iterations(batch)));
                column.time(peerCase, progress);
                vggRows.add(new PendingRow(
                        row(size, batch, gflopPerImage, gemm, fastTiming, stock, stockFailure),
                        fastTiming.imagesPerSecond(),
                        peerCase,
                        ""));
            }
        }
        List<PendingRow> storedRows = new ArrayList<>();
        for (StoredCase stored : storedCases) {
            storedRows.addAll(timeStored(stored, column, progress));
        }
        out.printf(
                Locale.ROOT,
                "ND4J GEMM (%dx%d float mmul): %.1f GFLOP/s. VGG16 conv base with random weights "
                        + "(speed does not depend on weight values); FLOPs counted from the architecture.%n%n",
                settings.gemmSize(),
                settings.gemmSize(),
                gemm);
        out.println(column.note());
        out.println();
        out.println("| input | batch | GFLOP/img | stock GFLOP/s | stock img/s | fast GFLOP/s | fast img/s "
                + "| fast/GEMM | fast/stock | max abs diff | stock RSS peak MiB | fast RSS peak MiB "
                + "| fast native peak MiB |"
                + column.header("fast/PyTorch"));
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + column.alignment());
        vggRows.forEach(r -> out.println(complete(column, r)));
        out.println();
        out.println("Memory peaks, sampled every 10 ms during the case: RSS is the resident set size of the whole "
                + "process (JavaCPP Pointer.physicalBytes(): ND4J off-heap buffers plus the Java heap); native is RSS "
                + "minus the JVM's committed heap and non-heap memory at the same moment, an upper bound on what ND4J "
                + "and oneDNN hold off-heap.");
        if (!storedRows.isEmpty()) {
            out.println();
            out.println("Stored bases at their own input size, on the path feature extraction and the scorer take "
                    + "(fast: FastConvBase, or ChannelsLastFastBase for channels last; DL4J: the graph's own layers):");
            out.println();
            out.println("| base | input | batch | path | img/s | RSS peak MiB |" + column.header("imgstream/PyTorch"));
            out.println("|---|---|---:|---|---:|---:|" + column.alignment());
            storedRows.forEach(r -> out.println(complete(column, r)));
            out.println();
        }
        if (settings.refitImages() > 0) {
            out.println();
            out.println(featureThroughput(progress));
        }
        out.flush();
        return report.toString();
    }

    /** VGG16 at 150x150 and every stored base, from the same image files. */
    private String featureThroughput(PrintWriter progress) {
        Path written = null;
        try {
            List<Path> files;
            String note;
            if (settings.refitFiles().isPresent()) {
                Path directory = settings.refitFiles().get();
                files = FeatureThroughput.filesIn(directory, settings.refitImages());
                note = files.size() + " files from " + directory;
            } else {
                written = Files.createTempDirectory("imgstream-bench-files");
                files = FeatureThroughput.writeFashionMnist(written, settings.refitImages());
                note = String.format(
                        Locale.ROOT,
                        "Fashion-MNIST's first %d test images written as %dx%d JPEG files",
                        files.size(),
                        FeatureThroughput.WRITTEN_SIDE,
                        FeatureThroughput.WRITTEN_SIDE);
            }
            FeatureThroughput throughput = new FeatureThroughput(files, settings.refitEpochs(), SEED);
            List<FeatureThroughput.Row> rows = new ArrayList<>();
            rows.add(throughput.measure(
                    "VGG16 (random weights)",
                    VggBase.random(VggBase.Variant.VGG16, REFIT_SIDE, REFIT_SIDE, SEED),
                    progress));
            for (StoredCase stored : storedCases) {
                rows.add(throughput.measure(stored.name(), stored.network(), progress));
            }
            return FeatureThroughput.table(rows, note);
        } catch (IOException e) {
            return "Feature throughput left out: " + e.getMessage() + ". Install dataset-fashion-mnist (Debian) or "
                    + "point --refit-files at a directory of images.";
        } catch (IllegalArgumentException e) {
            return "Feature throughput left out: " + e.getMessage() + ".";
        } finally {
            if (written != null) {
                deleteQuietly(written);
            }
        }
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind costs disk space, not the report.
        }
    }

    private static String complete(PeerColumn column, PendingRow row) {
        return column.complete(row.columns(), row.imagesPerSecond(), row.peerCase(), row.noPeer());
    }

    private List<PendingRow> timeStored(StoredCase stored, PeerColumn column, PrintWriter progress)
            throws InterruptedException {
        BaseNetwork base = stored.network();
        int height = base.preprocessing().height();
        int width = base.preprocessing().width();
        Optional<FastBase> fast = FeatureExtractor.fastPathFor(base);
        String layout = base.dataFormat() == CNN2DFormat.NCHW ? "" : " (channels last)";
        String path = (fast.isPresent() ? "fast" : "DL4J") + layout;
        UnaryOperator<INDArray> forward =
                fast.<UnaryOperator<INDArray>>map(f -> f::features).orElse(base::features);
        List<PendingRow> rows = new ArrayList<>();
        for (int batch : settings.batches()) {
            progress.printf("%s %dx%d batch %d...%n", stored.name(), height, width, batch);
            progress.flush();
            Timing timing = time(forward, randomInput(batch, height, width));
            Optional<TorchPeer.Case> peerCase = stored.peerArchitecture()
                    .map(architecture -> new TorchPeer.Case(architecture, height, batch, iterations(batch)));
            column.time(peerCase, progress);
            rows.add(new PendingRow(
                    String.format(
                            Locale.ROOT,
                            "| %s | %dx%d | %d | %s | %.2f | %.0f |",
                            stored.name(),
                            height,
                            width,
                            batch,
                            path,
                            timing.imagesPerSecond(),
                            timing.peakResidentBytes() / MEBI),
                    timing.imagesPerSecond(),
                    peerCase,
                    stored.noPeerReason()));
        }
        return rows;
    }

    private static INDArray randomInput(int batch, int height, int width) {
        Nd4j.getRandom().setSeed(SEED);
        return Nd4j.rand(DataType.FLOAT, batch, CHANNELS, height, width)
                .subi(0.5)
                .muli(PIXEL_RANGE);
    }

    private int iterations(int batch) {
        return Math.max(1, settings.images() / batch);
    }

    private static String row(
            int size, int batch, double gflopPerImage, double gemm, Timing fast, Timing stock, String stockFailure) {
        double fastGflops = fast.imagesPerSecond() * gflopPerImage;
        String stockColumns = stockFailure + " | n/a";
        String ratio = "n/a";
        String difference = "n/a";
        String stockPeak = "n/a";
        if (stock != null) {
            stockColumns = String.format(
                    Locale.ROOT, "%.1f | %.2f", stock.imagesPerSecond() * gflopPerImage, stock.imagesPerSecond());
            ratio = String.format(Locale.ROOT, "%.1fx", fast.imagesPerSecond() / stock.imagesPerSecond());
            difference = String.format(
                    Locale.ROOT,
                    "%.2e",
                    fast.firstOutput().sub(stock.firstOutput()).amaxNumber().doubleValue());
            stockPeak = String.format(Locale.ROOT, "%.0f", stock.peakResidentBytes() / MEBI);
        }
        return String.format(
                Locale.ROOT,
                "| %dx%d | %d | %.2f | %s | %.1f | %.2f | %.0f%% | %s | %s | %s | %.0f | %.0f |",
                size,
                size,
                batch,
                gflopPerImage,
                stockColumns,
                fastGflops,
                fast.imagesPerSecond(),
                100 * fastGflops / gemm,
                ratio,
                difference,
                stockPeak,
                fast.peakResidentBytes() / MEBI,
                fast.peakNativeBytes() / MEBI);
    }

    private Timing time(UnaryOperator<INDArray> forward, INDArray input) throws InterruptedException {
        int batch = (int) input.size(0);
        int iterations = iterations(batch);
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
        long n = settings.gemmSize();
        Nd4j.getRandom().setSeed(SEED);
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.createUninitialized(DataType.FLOAT, n, n);
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
        return 2.0 * n * n * n * GEMM_REPEATS / seconds / GIGA;
    }
}
