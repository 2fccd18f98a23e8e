package io.imgstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Java side of the PyTorch peer against a real python3: stand-in scripts that keep the shipped script's
 * arguments and JSON but time nothing (so no test depends on torch being installed), and the shipped script itself
 * for what it does before it imports torch, run with {@code -S} so that torch never imports even where it is
 * installed.
 */
class TorchPeerTest {

    private static final List<String> PYTHON = List.of("python3");
    /** Without site-packages: the shipped script finds no torch on any machine. */
    private static final List<String> PYTHON_WITHOUT_SITE = List.of("python3", "-S");

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * Answers like the shipped script, every case at 10 images per second per image of the batch, and fails unless
     * OMP_NUM_THREADS says what --threads says.
     */
    private static final String STAND_IN = """
            import json, os, sys
            args = sys.argv[1:]
            if args == ["--probe"]:
                print(json.dumps({"torch": "9.9", "torchvision": "8.8", "architectures": ["vgg16", "mobilenet_v2"]}))
                sys.exit(0)
            threads = int(args[args.index("--threads") + 1])
            if os.environ.get("OMP_NUM_THREADS") != str(threads):
                sys.exit("OMP_NUM_THREADS is %s, not %d" % (os.environ.get("OMP_NUM_THREADS"), threads))
            results = []
            for i, a in enumerate(args):
                if a == "--case":
                    name, size, batch, iterations = args[i + 1].split(":")
                    results.append({"architecture": name, "size": int(size), "batch": int(batch),
                                    "iterations": int(iterations), "seconds": 0.5,
                                    "images_per_second": 10.0 * int(batch)})
            print("timing...", file=sys.stderr)
            print(json.dumps({"torch": "9.9", "torchvision": "8.8", "threads": threads, "results": results}))
            """;

    private static final TorchPeer.Case VGG = new TorchPeer.Case("vgg16", 150, 8, 2);
    private static final TorchPeer.Case MOBILENET = new TorchPeer.Case("mobilenet_v2", 224, 4, 4);

    @Test
    void shouldReadEveryCaseOfARun() throws Exception {
        TorchPeer peer = new TorchPeer(PYTHON, STAND_IN, TIMEOUT);

        TorchPeer.Run run = peer.run(List.of(VGG, MOBILENET), 3, 1);

        assertThat(run.torch()).isEqualTo("9.9");
        assertThat(run.torchvision()).isEqualTo("8.8");
        assertThat(run.threads()).isEqualTo(3);
        assertThat(run.results())
                .containsExactly(new TorchPeer.Result(VGG, 0.5, 80.0), new TorchPeer.Result(MOBILENET, 0.5, 40.0));
        assertThat(run.imagesPerSecond(MOBILENET)).hasValue(40.0);
        assertThat(run.imagesPerSecond(new TorchPeer.Case("vgg16", 224, 8, 2))).isEmpty();
    }

    @Test
    void shouldFindTheArchitecturesTheScriptBuilds() throws Exception {
        TorchPeer.Availability availability = new TorchPeer(PYTHON, STAND_IN, TIMEOUT).probe();

        assertThat(availability).isEqualTo(new TorchPeer.Available("9.9", "8.8", Set.of("vgg16", "mobilenet_v2")));
    }

    @Test
    void shouldSayTorchIsMissingWhenTheShippedScriptCannotImportIt() throws Exception {
        TorchPeer.Availability availability =
                new TorchPeer(PYTHON_WITHOUT_SITE, TorchPeer.shippedScript(), TIMEOUT).probe();

        assertThat(availability).isInstanceOf(TorchPeer.Unavailable.class);
        assertThat(((TorchPeer.Unavailable) availability).reason())
                .contains("python3 -S cannot import torch and torchvision", "No module named 'torch'");
    }

    @Test
    void shouldShowTheShippedScriptsComplaintAboutAnUnknownArchitecture() {
        TorchPeer peer = new TorchPeer(PYTHON_WITHOUT_SITE, TorchPeer.shippedScript(), TIMEOUT);

        assertThatThrownBy(() -> peer.run(List.of(new TorchPeer.Case("alexnet", 224, 8, 2)), 2, 1))
                .isInstanceOf(TorchPeerException.class)
                .hasMessageContaining("exited with status 2")
                .hasMessageContaining("unknown architecture 'alexnet'; known: inception_v3, mobilenet_v2, resnet50, "
                        + "vgg16, vgg19");
    }

    @Test
    void shouldShowTheShippedScriptsComplaintAboutAnImpossibleCase() {
        TorchPeer peer = new TorchPeer(PYTHON_WITHOUT_SITE, TorchPeer.shippedScript(), TIMEOUT);

        assertThatThrownBy(() -> peer.run(List.of(new TorchPeer.Case("vgg16", 16, 8, 2)), 2, 1))
                .isInstanceOf(TorchPeerException.class)
                .hasMessageContaining("size must be at least 32");
    }

    @Test
    void shouldShowStandardErrorWhenTheRunFails() {
        TorchPeer peer = new TorchPeer(PYTHON, """
                import sys
                print("loading weights", file=sys.stderr)
                raise RuntimeError("DefaultCPUAllocator: not enough memory")
                """, TIMEOUT);

        assertThatThrownBy(() -> peer.run(List.of(VGG), 2, 1))
                .isInstanceOf(TorchPeerException.class)
                .hasMessageContaining("exited with status 1")
                .hasMessageContaining("loading weights")
                .hasMessageContaining("RuntimeError: DefaultCPUAllocator: not enough memory");
    }

    @Test
    void shouldStopARunPastItsLimit() {
        // Without the limit this would answer, late, with a valid result.
        TorchPeer peer = new TorchPeer(PYTHON, """
                import json, sys, time
                print("still warming up", file=sys.stderr, flush=True)
                time.sleep(120)
                print(json.dumps({"torch": "9.9", "torchvision": "8.8", "threads": 2, "results": [
                    {"architecture": "vgg16", "size": 150, "batch": 8, "iterations": 2, "seconds": 1.0,
                     "images_per_second": 16.0}]}))
                """, Duration.ofSeconds(2));

        assertThatThrownBy(() -> peer.run(List.of(VGG), 2, 1))
                .isInstanceOf(TorchPeerException.class)
                .hasMessageContaining("ran past its limit of 2 s")
                .hasMessageContaining("still warming up");
    }

    @Test
    void shouldRejectARunThatDoesNotAnswerEveryCase() {
        TorchPeer peer = new TorchPeer(PYTHON, """
                import json
                print(json.dumps({"torch": "9.9", "torchvision": "8.8", "threads": 2, "results": [
                    {"architecture": "vgg16", "size": 150, "batch": 8, "iterations": 2, "seconds": 1.0,
                     "images_per_second": 16.0}]}))
                """, TIMEOUT);

        assertThatThrownBy(() -> peer.run(List.of(VGG, MOBILENET), 2, 1))
                .isInstanceOf(TorchPeerException.class)
                .hasMessageContaining("answered 1 results for 2 cases");
    }

    @Test
    void shouldRejectAResultForAnotherCase() {
        TorchPeer peer = new TorchPeer(PYTHON, """
                import json
                print(json.dumps({"torch": "9.9", "torchvision": "8.8", "threads": 2, "results": [
                    {"architecture": "vgg16", "size": 224, "batch": 8, "iterations": 2, "seconds": 1.0,
                     "images_per_second": 16.0}]}))
                """, TIMEOUT);

        assertThatThrownBy(() -> peer.run(List.of(VGG), 2, 1))
                .isInstanceOf(TorchPeerException.class)
                .hasMessageContaining("size=224")
                .hasMessageContaining("for Case[architecture=vgg16, size=150");
    }

    @Test
    void shouldRejectOutputThatIsNotJson() {
        TorchPeer peer = new TorchPeer(PYTHON, "print('12.5 img/s')", TIMEOUT);

        assertThatThrownBy(() -> peer.run(List.of(VGG), 2, 1))
                .isInstanceOf(TorchPeerException.class)
                .hasMessageContaining("printed no JSON: 12.5 img/s");
    }

    @Test
    void shouldSayWhenThereIsNoInterpreter() throws Exception {
        TorchPeer.Availability availability = new TorchPeer(List.of("/nonexistent/python3"), STAND_IN, TIMEOUT).probe();

        assertThat(availability).isInstanceOf(TorchPeer.Unavailable.class);
        assertThat(((TorchPeer.Unavailable) availability).reason()).startsWith("cannot run /nonexistent/python3");
    }
}
