package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.cli.CliException;
import io.imgstream.stack.LocalStack;
import io.imgstream.stack.StackConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo on a pretrained base, as a user runs it: {@code stack up}, nsfwjs's MobileNetV2 imported with {@code
 * bases import --cut}, then {@code demo --base}, which fits its model on the shipped labeled images, scores the demo
 * images through a real broker and registry and prints the results; a second demo reuses the fitted model.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@Tag("heavy")
class TransferDemoIT {

    private static final String BASE = "nsfwjs.mobilenet_v2.block13";
    private static final String MODEL = "fashion-demo-" + BASE;
    private static final int PER_CLASS = 10;
    private static final Pattern SUMMARY =
            Pattern.compile("(\\d+) of 20 labeled demo images predicted correctly; 2 dead letter\\(s\\)\\.");

    private Path workDir;
    private StackConfig ports;

    @BeforeEach
    void createWorkDir() throws IOException {
        workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "stacks")), "TransferDemoIT-");
        ports = StackConfig.withFreePorts(workDir);
    }

    @AfterEach
    void stopTheStack() {
        LocalStack.stop(workDir);
    }

    @Test
    void shouldFitTheDemoModelOnAPretrainedBaseOnceAndScoreTheDemoImagesWithIt() {
        String bases = workDir.resolve("bases").toString();
        CliRun up = CliRun.execute(CliRun.stackUp(workDir, ports, ports.brokerPort()));
        assertThat(up.exitCode()).as(up.toString()).isEqualTo(CliException.OK);
        CliRun imported = CliRun.execute(List.of(
                "bases",
                "import",
                NsfwjsPackage.tarball().toString(),
                "--model",
                "mobilenet_v2",
                "--cut",
                "block_13_expand_relu",
                "--name",
                BASE,
                "--base-store",
                bases));
        assertThat(imported.exitCode()).as(imported.toString()).isEqualTo(CliException.OK);
        List<String> demo = List.of(
                "demo",
                "--work-dir",
                workDir.toString(),
                "--base",
                BASE,
                "--base-store",
                bases,
                "--per-class",
                String.valueOf(PER_CLASS));

        CliRun first = CliRun.execute(demo);

        assertThat(first.exitCode()).as(first.toString()).isEqualTo(CliException.OK);
        assertThat(first.err())
                .as(first.toString())
                .contains("Fitting " + MODEL + " on " + PER_CLASS + " shipped labeled images per class")
                .contains("Fitted " + MODEL + " v1 on " + 10 * PER_CLASS + " labeled images");
        assertThat(first.out().lines().filter(line -> line.contains(MODEL + " v1")))
                .as(first.toString())
                .hasSize(20);
        int correct = correct(first);
        System.out.printf(
                "TransferDemoIT: %s fitted on %d labels per class, %d of 20 demo images right%n",
                MODEL, PER_CLASS, correct);
        // The demo's small CNN, on 250 labels per class, gets 13; one in ten is chance.
        assertThat(correct).as(first.toString()).isGreaterThanOrEqualTo(8);

        CliRun second = CliRun.execute(demo);

        assertThat(second.exitCode()).as(second.toString()).isEqualTo(CliException.OK);
        assertThat(second.err())
                .as(second.toString())
                .contains("Using the demo model in")
                .doesNotContain("Fitting");
        assertThat(correct(second)).as(second.toString()).isEqualTo(correct);
    }

    private static int correct(CliRun run) {
        Matcher summary = SUMMARY.matcher(run.out());
        assertThat(summary.find()).as(run.toString()).isTrue();
        return Integer.parseInt(summary.group(1));
    }
}
