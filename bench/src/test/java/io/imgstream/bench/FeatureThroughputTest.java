package io.imgstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.imgstream.model.base.VggBase;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feature benchmark on real Fashion-MNIST JPEG files through a small VGG16, and the table it prints. */
class FeatureThroughputTest {

    private static final int FILES = 12;
    private static final int SIDE = 32;

    @TempDir
    Path temp;

    @Test
    void shouldTimeFeaturesFromTheFilesAgainstRawInferenceAndTheRefit() throws Exception {
        List<Path> files = FeatureThroughput.writeFashionMnist(temp.resolve("files"), FILES);
        BufferedImage written = ImageIO.read(files.get(0).toFile());
        assertThat(files).hasSize(FILES);
        assertThat(written.getWidth()).isEqualTo(FeatureThroughput.WRITTEN_SIDE);
        assertThat(FeatureThroughput.filesIn(temp.resolve("files"), 100)).isEqualTo(files);

        FeatureThroughput.Row row = new FeatureThroughput(files, 2, 7)
                .measure("small", VggBase.random(VggBase.Variant.VGG16, SIDE, SIDE, 3), quiet());

        assertThat(row.images()).isEqualTo(FILES);
        assertThat(row.epochs()).isEqualTo(2);
        assertThat(row.decodeSeconds()).isPositive().isLessThan(row.featureSeconds());
        assertThat(row.rawSeconds()).isPositive();
        assertThat(row.refitSeconds()).isPositive();
        assertThat(row.ratio()).isCloseTo(row.filesPerSecond() / row.rawPerSecond(), within(1e-9));
        String table = FeatureThroughput.table(List.of(row), "twelve files");
        assertThat(table)
                .startsWith("Features from image files (twelve files)")
                .contains("| base | input | files | raw img/s | from files img/s | files/raw |")
                .contains(String.format(
                        java.util.Locale.ROOT,
                        "| small | 32x32 | 12 | %.2f | %.2f | %.2fx |",
                        row.rawPerSecond(),
                        row.filesPerSecond(),
                        row.ratio()));
    }

    @Test
    void shouldRefuseADirectoryWithFewerFilesThanOneMinibatch() throws Exception {
        Files.writeString(temp.resolve("one.jpg"), "not even an image");

        assertThatThrownBy(() -> FeatureThroughput.filesIn(temp, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds only 1 file;")
                .hasMessageContaining("at least 8");
    }

    @Test
    void shouldNameTheFileThatIsNotAnImage() throws Exception {
        List<Path> files = FeatureThroughput.writeFashionMnist(temp, 8);
        Files.writeString(files.get(5), "not an image");

        assertThatThrownBy(() -> new FeatureThroughput(files, 1, 7)
                        .measure("small", VggBase.random(VggBase.Variant.VGG16, SIDE, SIDE, 3), quiet()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(files.get(5) + " is not a usable image");
    }

    private static PrintWriter quiet() {
        return new PrintWriter(new StringWriter());
    }
}
