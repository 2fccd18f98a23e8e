package io.imgstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image tree the transfer benchmark hands to {@code fit}, written again over an earlier run's. */
class TransferBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void shouldKeepTheImagesASplitSharesWithAnEarlierRunAndRemoveTheOnesItDoesNot() throws Exception {
        Path tree = TransferBenchmark.writeTree(FewLabels.read(5, 30), dir.resolve("fashion-mnist"));
        Path kept = files(tree.resolve("test")).stream()
                .filter(file -> file.getFileName().toString().equals("06999.png"))
                .findFirst()
                .orElseThrow();
        FileTime written = Files.getLastModifiedTime(kept);
        Path stray = Files.writeString(tree.resolve("train/bag/stray.png"), "not an image");

        TransferBenchmark.writeTree(FewLabels.read(4, 20), tree);

        assertThat(files(tree.resolve("train"))).hasSize(10 * 4 - 10);
        assertThat(files(tree.resolve("validation"))).hasSize(10);
        assertThat(files(tree.resolve("test")))
                .hasSize(20)
                .allSatisfy(file -> assertThat(file.getFileName().toString()).matches("069[89][0-9]\\.png"));
        assertThat(Files.getLastModifiedTime(kept)).isEqualTo(written);
        assertThat(stray).doesNotExist();
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
