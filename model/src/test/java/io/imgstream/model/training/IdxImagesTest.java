package io.imgstream.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxImagesTest {

    /** Five 3 x 2 images; pixel values encode image and position, labels 2, 0, 1, 0, 2. */
    private static LabeledImages sample() {
        byte[] pixels = new byte[5 * 6];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 8);
        }
        return new LabeledImages(5, 3, 2, pixels, new int[] {2, 0, 1, 0, 2});
    }

    @Test
    void shouldRoundTripThroughGzippedIdxFiles(@TempDir Path dir) throws IOException {
        Path images = dir.resolve("images.gz");
        Path labels = dir.resolve("labels.gz");

        IdxImages.write(sample(), images, labels);
        LabeledImages read = IdxImages.read(images, labels);

        assertThat(read).isEqualTo(sample());
        assertThat(Files.readAllBytes(images)).startsWith((byte) 0x1f, (byte) 0x8b);
    }

    @Test
    void shouldWriteTheSameBytesEveryTime() throws IOException {
        assertThat(imagesBytes(sample())).isEqualTo(imagesBytes(sample()));
    }

    @Test
    void shouldReadUncompressedIdx() throws IOException {
        byte[] images = gunzip(imagesBytes(sample()));
        byte[] labels = gunzip(labelsBytes(sample()));

        LabeledImages read = IdxImages.read(new ByteArrayInputStream(images), new ByteArrayInputStream(labels));

        assertThat(read).isEqualTo(sample());
        assertThat(Arrays.copyOf(images, 4)).containsExactly(0, 0, 8, 3);
    }

    @Test
    void shouldRefuseSwappedFiles() {
        assertThatThrownBy(() -> IdxImages.read(
                        new ByteArrayInputStream(labelsBytes(sample())),
                        new ByteArrayInputStream(imagesBytes(sample()))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(
                        "magic number 2049; an idx images file starts with 2051 (the images and labels files are "
                                + "swapped)");
    }

    @Test
    void shouldRefuseFilesThatAreNotIdx() {
        assertThatThrownBy(() -> IdxImages.read(
                        new ByteArrayInputStream("hello, world".getBytes()),
                        new ByteArrayInputStream(labelsBytes(sample()))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not an idx images file");
    }

    @Test
    void shouldRefuseTruncatedFiles() throws IOException {
        byte[] images = gunzip(imagesBytes(sample()));
        byte[] truncatedGzip = imagesBytes(sample());

        assertThatThrownBy(() -> IdxImages.read(
                        new ByteArrayInputStream(Arrays.copyOf(images, images.length - 1)),
                        new ByteArrayInputStream(labelsBytes(sample()))))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("is truncated: it ends before 30 pixel bytes for 5 images of 3 x 2");
        assertThatThrownBy(() -> IdxImages.read(
                        new ByteArrayInputStream(Arrays.copyOf(truncatedGzip, truncatedGzip.length - 12)),
                        new ByteArrayInputStream(labelsBytes(sample()))))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void shouldRefuseLabelCountsThatDifferFromImageCounts() throws IOException {
        LabeledImages fewer = sample().subset(new int[] {0, 1});
        ByteArrayOutputStream otherLabels = new ByteArrayOutputStream();
        IdxImages.write(fewer, new ByteArrayOutputStream(), otherLabels);

        assertThatThrownBy(() -> IdxImages.read(
                        new ByteArrayInputStream(imagesBytes(sample())),
                        new ByteArrayInputStream(otherLabels.toByteArray())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("has 2 labels but images stream has 5 images");
    }

    @Test
    void shouldRefuseNegativeDimensions() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxImages.IMAGES_MAGIC);
        out.writeInt(-1);

        assertThatThrownBy(() -> IdxImages.read(
                        new ByteArrayInputStream(bytes.toByteArray()), new ByteArrayInputStream(labelsBytes(sample()))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("negative image count");
    }

    @Test
    void shouldExposeImagesAsGreyBufferedImages() {
        BufferedImage image = sample().image(1);

        assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(image.getWidth()).isEqualTo(2);
        assertThat(image.getHeight()).isEqualTo(3);
        assertThat(image.getRaster().getSample(1, 2, 0)).isEqualTo((6 + 5) * 8);
    }

    @Test
    void shouldSelectSubsetsAndTheFirstImagesOfEachClass() {
        LabeledImages firstPerClass = sample().firstPerClass(1);

        assertThat(firstPerClass.labels()).containsExactly(2, 0, 1);
        assertThat(firstPerClass.image(1).getRaster().getSample(0, 0, 0)).isEqualTo(6 * 8);
        assertThat(sample().subset(new int[] {4, 4}).labels()).containsExactly(2, 2);
        assertThat(sample().countsPerClass()).containsExactly(2, 1, 2);
        assertThat(sample().classCount()).isEqualTo(3);
        assertThatThrownBy(() -> sample().subset(new int[] {5})).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void shouldRefuseInconsistentArrays() {
        assertThatThrownBy(() -> new LabeledImages(2, 2, 2, new byte[7], new int[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("need 8");
        assertThatThrownBy(() -> new LabeledImages(1, 1, 1, new byte[1], new int[] {-1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label");
    }

    private static byte[] imagesBytes(LabeledImages data) throws IOException {
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        IdxImages.write(data, images, new ByteArrayOutputStream());
        return images.toByteArray();
    }

    private static byte[] labelsBytes(LabeledImages data) throws IOException {
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        IdxImages.write(data, new ByteArrayOutputStream(), labels);
        return labels.toByteArray();
    }

    private static byte[] gunzip(byte[] gzipped) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return in.readAllBytes();
        }
    }
}
