package io.imgstream.training.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.images.decode.ImageLimits;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import java.awt.image.BufferedImage;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {

    private static final Preprocessing INPUT = new Preprocessing(32, 32, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);

    @TempDir
    Path dir;

    @Test
    void shouldDecodeAnImageFileForTheBasesInput() throws Exception {
        Path file = dir.resolve("photo.png");
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_3BYTE_BGR), "png", file.toFile());

        BufferedImage image = new ImageFiles(INPUT).decode(file);

        assertThat(image.getWidth()).isEqualTo(40);
        assertThat(image.getHeight()).isEqualTo(30);
    }

    @Test
    void shouldRefuseAFileLargerThanAnImageMayBeBeforeReadingIt() throws Exception {
        Path file = dir.resolve("huge.jpg");
        // Sparse: the size is what is checked, and nothing of it is ever read.
        try (RandomAccessFile huge = new RandomAccessFile(file.toFile(), "rw")) {
            huge.setLength(ImageLimits.defaults().maxBytes() + 1L);
        }

        assertThatThrownBy(() -> new ImageFiles(INPUT).decode(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("huge.jpg")
                .hasMessageContaining("more than the " + ImageLimits.defaults().maxBytes());
    }

    @Test
    void shouldNameAFileThatIsNotAnImage() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.png"), "not an image");

        assertThatThrownBy(() -> new ImageFiles(INPUT).decode(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("notes.png is not a usable image");
    }
}
