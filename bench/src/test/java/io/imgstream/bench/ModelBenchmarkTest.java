package io.imgstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.imgstream.model.base.VggBase;
import io.imgstream.model.bases.BaseFormat;
import io.imgstream.model.bases.StoredBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;

/**
 * The model benchmark's tables with a PyTorch peer, at VGG16's smallest input, against a real python3 running
 * stand-ins for the shipped script, so that no test depends on torch being installed ({@link TorchPeerTest} covers
 * the peer itself).
 */
class ModelBenchmarkTest {

    private static final int SIZE = 32;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Two images at batch 1: two timed passes after one warm-up, on both sides. */
    private static final ModelBenchmark.Settings SETTINGS =
            new ModelBenchmark.Settings(List.of(SIZE), List.of(1), 2, 64, true, 0, 0, Optional.empty());

    /**
     * Fails unless asked exactly the cases the Java side timed, each once, with its warm-up and the threads ND4J
     * computes with; answers 10 images per second.
     */
    private static final String STAND_IN = """
            import json, sys
            args = sys.argv[1:]
            if args == ["--probe"]:
                print(json.dumps({"torch": "9.9", "torchvision": "8.8", "architectures": ["vgg16"]}))
                sys.exit(0)
            cases = [args[i + 1] for i, a in enumerate(args) if a == "--case"]
            if cases != ["vgg16:32:1:2"] or args[args.index("--warmup") + 1] != "1":
                sys.exit("unexpected arguments %s" % args)
            print(json.dumps({"torch": "9.9", "torchvision": "8.8", "threads": int(args[args.index("--threads") + 1]),
                              "results": [{"architecture": "vgg16", "size": 32, "batch": 1, "iterations": 2,
                                           "seconds": 0.2, "images_per_second": 10.0}]}))
            """;

    @Test
    void shouldPrintThePeersImagesPerSecondAndTheRatioBesideEachRow() throws Exception {
        VggBase whole = VggBase.random(VggBase.Variant.VGG16, SIZE, SIZE, 1);
        VggBase cut = VggBase.random(VggBase.Variant.VGG16, SIZE, SIZE, 2);
        List<ModelBenchmark.StoredCase> stored = List.of(
                ModelBenchmark.StoredCase.of(storedAs("whole", whole, "block5_pool"), whole),
                ModelBenchmark.StoredCase.of(storedAs("cut", cut, "block4_pool"), cut));
        TorchPeer peer = new TorchPeer(List.of("python3"), STAND_IN, TIMEOUT);

        String report = new ModelBenchmark(SETTINGS, stored, Optional.of(peer)).run(quiet());

        assertThat(report)
                .contains("PyTorch column: torch 9.9, torchvision 8.8,")
                .contains("| fast native peak MiB | PyTorch img/s | fast/PyTorch |")
                .contains("| base | input | batch | path | img/s | RSS peak MiB | PyTorch img/s | imgstream/PyTorch |");
        List<String> vgg = cells(report, "| 32x32 | 1 |");
        assertThat(vgg.get(13)).isEqualTo("10.00");
        assertRatioOfPeer(vgg.get(14), vgg.get(6));
        List<String> wholeRow = cells(report, "| whole |");
        assertThat(wholeRow.subList(1, 4)).containsExactly("32x32", "1", "fast");
        assertThat(wholeRow.get(6)).isEqualTo("10.00");
        assertRatioOfPeer(wholeRow.get(7), wholeRow.get(4));
        assertThat(cells(report, "| cut |").subList(6, 8)).containsExactly("n/a (cut at block4_pool)", "n/a");
    }

    @Test
    void shouldSayInOneLineWhyThePeersColumnIsMissing() throws Exception {
        TorchPeer noTorch = new TorchPeer(List.of("python3"), """
                import sys
                print("No module named 'torch'", file=sys.stderr)
                sys.exit(3)
                """, TIMEOUT);

        String report = new ModelBenchmark(SETTINGS, List.of(), Optional.of(noTorch)).run(quiet());

        assertThat(report.lines().filter(l -> l.startsWith("PyTorch column")))
                .containsExactly("PyTorch column left out: python3 cannot import torch and torchvision (No module "
                        + "named 'torch'). Install python3-torch and python3-torchvision (Debian) for it, or point "
                        + "--python at an interpreter that has them.");
        assertThat(report).doesNotContain("PyTorch img/s");
        assertThat(cells(report, "| 32x32 | 1 |")).hasSize(13);
    }

    @Test
    void shouldLeaveTheColumnOutAndShowTheFailureWhenAPeerRunFails() throws Exception {
        TorchPeer crashing = new TorchPeer(List.of("python3"), """
                import json, sys
                if sys.argv[1:] == ["--probe"]:
                    print(json.dumps({"torch": "9.9", "torchvision": "8.8", "architectures": ["vgg16"]}))
                    sys.exit(0)
                sys.exit("RuntimeError: DefaultCPUAllocator: can't allocate memory")
                """, TIMEOUT);

        String report = new ModelBenchmark(SETTINGS, List.of(), Optional.of(crashing)).run(quiet());

        assertThat(report)
                .contains("PyTorch column left out: the run exited with status 1; its standard error ends: "
                        + "RuntimeError: DefaultCPUAllocator: can't allocate memory")
                .doesNotContain("PyTorch img/s");
        assertThat(cells(report, "| 32x32 | 1 |")).hasSize(13);
    }

    private static StoredBase storedAs(String name, VggBase base, String bottleneckLayer) {
        return new StoredBase(
                name,
                base.id(),
                "vgg16",
                BaseFormat.KERAS_WEIGHTS,
                "weights.h5",
                null,
                base.preprocessing(),
                CNN2DFormat.NCHW,
                bottleneckLayer,
                List.of(512L, 1L, 1L),
                "0".repeat(64),
                "test",
                Instant.EPOCH);
    }

    /** The cells of the report's row that starts with {@code start}. */
    private static List<String> cells(String report, String start) {
        String row = report.lines()
                .filter(l -> l.startsWith(start))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row " + start + " in\n" + report));
        return Arrays.stream(row.substring(1, row.length() - 1).split("\\|"))
                .map(String::strip)
                .toList();
    }

    /** The ratio column for the Java side's img/s against the stand-in's 10. */
    /**
     * The report divides the unrounded rate by the peer's 10 img/s, so the printed ratio may differ by one in its last
     * digit from the printed (rounded) rate divided by 10.
     */
    private static void assertRatioOfPeer(String ratio, String imagesPerSecond) {
        assertThat(ratio).endsWith("x");
        assertThat(Double.parseDouble(ratio.substring(0, ratio.length() - 1)))
                .isCloseTo(Double.parseDouble(imagesPerSecond) / 10.0, within(0.0101));
    }

    private static PrintWriter quiet() {
        return new PrintWriter(new StringWriter());
    }
}
