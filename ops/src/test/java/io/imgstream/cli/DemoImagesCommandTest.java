package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.training.fit.FolderDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code imgstream demo images}: the shipped labeled images as a tree that {@code fit} reads. */
class DemoImagesCommandTest {

    @TempDir
    Path work;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldWriteATreeThatFitReadsWithTenClassesOfTheGivenSize() throws IOException {
        Path tree = work.resolve("fashion");

        int exit = run("demo", "images", tree.toString(), "--per-class", "5");

        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(CliException.OK);
        assertThat(out.toString())
                .startsWith("Wrote 50 images, 5 per class, to " + tree)
                .contains("ankle-boot");
        FolderDataset dataset = FolderDataset.read(tree, 20, 42);
        assertThat(dataset.classes())
                .containsExactly(
                        "ankle-boot",
                        "bag",
                        "coat",
                        "dress",
                        "pullover",
                        "sandal",
                        "shirt",
                        "sneaker",
                        "t-shirt-top",
                        "trouser");
        assertThat(dataset.train().size() + dataset.validation().size()).isEqualTo(50);
        assertThat(dataset.validation().countsPerClass(10)).containsOnly(1);
    }

    @Test
    void shouldRefuseADirectoryInUseAsABadArgument() throws IOException {
        Files.createDirectories(work.resolve("fashion").resolve("bag"));

        int exit = run("demo", "images", work.resolve("fashion").toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("is not empty");
        assertThat(out.toString()).isEmpty();
    }

    private int run(String... args) {
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
