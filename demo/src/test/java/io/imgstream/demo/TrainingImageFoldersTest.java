package io.imgstream.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.model.training.LabeledImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingImageFoldersTest {

    private static final List<String> FOLDERS = List.of(
            "t-shirt-top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    @TempDir
    Path dir;

    @Test
    void shouldWriteTheFirstImagesOfEachClassPixelForPixel() throws IOException {
        Path tree = dir.resolve("fashion");

        Map<String, Integer> counts = TrainingImageFolders.write(tree, 3);

        assertThat(counts.keySet()).containsExactlyElementsOf(FOLDERS);
        assertThat(counts.values()).containsOnly(3);
        LabeledImages expected = DemoModel.trainingSubset().firstPerClass(3);
        int[] seen = new int[FOLDERS.size()];
        for (int i = 0; i < expected.count(); i++) {
            int label = expected.label(i);
            Path folder = tree.resolve(FOLDERS.get(label));
            List<Path> files = files(folder);
            assertThat(files).hasSize(3);
            BufferedImage written = ImageIO.read(files.get(seen[label]++).toFile());
            assertThat(pixels(written))
                    .as("image %d of %s", seen[label], folder)
                    .isEqualTo(pixels(expected.image(i)));
        }
    }

    @Test
    void shouldNameFoldersLikeTheDemoTestImages() {
        assertThat(DemoModel.classes().stream().map(TrainingImageFolders::folderName))
                .containsExactlyElementsOf(FOLDERS);
        for (DemoImage image : DemoModel.demoImages()) {
            assertThat(image.fileName()).contains("-" + TrainingImageFolders.folderName(image.label()) + ".");
        }
        assertThat(TrainingImageFolders.folderName("/Über Größe/")).isEqualTo("ber-gr-e");
    }

    @Test
    void shouldRefuseADirectoryThatHoldsAnything() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "mine");

        assertThatThrownBy(() -> TrainingImageFolders.write(dir, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not empty");
        assertThat(files(dir)).containsExactly(dir.resolve("notes.txt"));
    }

    @Test
    void shouldRefuseMoreImagesThanShippedOrNone() {
        assertThatThrownBy(() -> TrainingImageFolders.write(dir.resolve("a"), DemoModel.SHIPPED_PER_CLASS + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and " + DemoModel.SHIPPED_PER_CLASS);
        assertThatThrownBy(() -> TrainingImageFolders.write(dir.resolve("b"), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("a")).doesNotExist();
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.sorted().toList();
        }
    }

    private static byte[] pixels(BufferedImage image) {
        assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        return (byte[]) image.getRaster().getDataElements(0, 0, image.getWidth(), image.getHeight(), null);
    }
}
