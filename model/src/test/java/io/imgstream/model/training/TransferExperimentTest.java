package io.imgstream.model.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 8's "real accuracy": transfer from Fashion-MNIST classes 0-4 to 5-9 beats a random base. */
@Tag("heavy")
class TransferExperimentTest {

    private static final Path FASHION_MNIST = Path.of(TransferExperiment.DEBIAN_DIRECTORY);

    @Test
    void shouldBeatARandomBaseByAClearMarginWithAtMostOneHundredLabelsPerClass() throws IOException {
        PrintWriter progress = new PrintWriter(System.out, true, StandardCharsets.UTF_8);

        TransferExperiment.Result result =
                TransferExperiment.run(FASHION_MNIST, TransferExperiment.Config.defaults(), progress);

        progress.printf(
                "transfer experiment: transferred base %.3f, random base %.3f, margin %.1f points; %s%n",
                result.transferredAccuracy(), result.randomAccuracy(), result.marginPoints(), result);
        assertThat(result.headTrainImages() + result.headValidationImages()).isLessThanOrEqualTo(5 * 100);
        assertThat(result.testImages()).isGreaterThanOrEqualTo(1000);
        assertThat(result.pretrainAccuracy())
                .as("the base must have learnt its own classes")
                .isGreaterThan(0.7);
        assertThat(result.marginPoints())
                .as("transferred %.3f vs random %.3f", result.transferredAccuracy(), result.randomAccuracy())
                .isGreaterThanOrEqualTo(3.0);
    }
}
