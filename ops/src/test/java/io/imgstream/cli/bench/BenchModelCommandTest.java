package io.imgstream.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.cli.CliException;
import io.imgstream.cli.ImgstreamCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchModelCommandTest {

    @Test
    void shouldPrintMarkdownTableAndCommandLineForTinyCase() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(new StringWriter(), true));

        // 32x32 is the smallest VGG16 input; small GEMM keeps this test to a few seconds.
        int exitCode = commandLine.execute(
                "bench",
                "model",
                "--sizes",
                "32",
                "--batches",
                "1,2",
                "--images",
                "2",
                "--gemm-size",
                "64",
                "--refit-images",
                "10",
                "--refit-epochs",
                "1",
                "--python",
                "/nonexistent/python3");

        assertThat(exitCode).isZero();
        assertThat(out.toString())
                .contains("| input | batch | GFLOP/img |", "| 32x32 | 1 | 0.63 |", "| 32x32 | 2 | 0.63 |")
                .contains("random weights")
                .contains("PyTorch column left out: cannot run /nonexistent/python3")
                .doesNotContain("PyTorch img/s")
                .contains("Features from image files (Fashion-MNIST's first 10 test images written as 448x448 JPEG")
                .contains("| VGG16 (random weights) | 150x150 | 10 |", "(1 epoch) |")
                .contains("Command: imgstream bench model --sizes 32 --batches 1,2 --images 2 --gemm-size 64 "
                        + "--refit-images 10 --refit-epochs 1 --python /nonexistent/python3");
    }

    @Test
    void shouldRefuseFewerImageFilesThanOneMinibatch() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));

        int exitCode = commandLine.execute("bench", "model", "--no-peer", "--refit-images", "3");

        assertThat(exitCode).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("--refit-images must be 0 (no feature benchmark) or at least 8");
    }

    @Test
    void shouldShowDefaultsInHelp() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));

        commandLine.execute("bench", "model", "--help");

        assertThat(out.toString())
                .contains("--sizes=PIXELS", "(default: 150,224)", "(default: 1,8,32)", "--quick")
                .contains("--base=BASE", "--python=PATH", "--peer-timeout=SECONDS", "--no-peer");
    }

    @Test
    void shouldNameTheBasesThereAreWhenAskedForOneThatIsNotStored(@TempDir Path store) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));

        int exitCode = commandLine.execute(
                "bench", "model", "--quick", "--no-peer", "--base-store", store.toString(), "--base", "resnet50");

        assertThat(exitCode).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("no base 'resnet50' in " + store + " (there are: none)");
    }
}
