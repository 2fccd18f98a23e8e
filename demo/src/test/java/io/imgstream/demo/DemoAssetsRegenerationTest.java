package io.imgstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Rebuilds the demo assets under {@code src/main/resources/io/imgstream/demo/} from Debian's
 * {@code dataset-fashion-mnist} ({@value #DATASET_DIRECTORY}). The output is deterministic: running
 * it again must leave {@code git status} clean.
 *
 * <p>Not part of the normal build (tag {@value #TAG}, excluded in {@code demo/pom.xml}). Run it
 * from the repository root with:
 * <pre>
 * apt-get install -y dataset-fashion-mnist
 * mvn -pl demo test -Dtest=DemoAssetsRegenerationTest -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag(DemoAssetsRegenerationTest.TAG)
class DemoAssetsRegenerationTest {

    static final String TAG = "assets";
    static final String DATASET_DIRECTORY = "/usr/share/datasets/fashion-mnist";
    private static final Path OUTPUT = Path.of("src/main/resources/io/imgstream/demo");
    private static final int TEST_IMAGES_PER_CLASS = 2;
    static final float JPEG_QUALITY = 0.95f;
    private static final long MAX_SHIPPED_BYTES = 1_500_000;
    private static final List<String> CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final String NOTICE = """
            The files in this directory are derived from Fashion-MNIST
            (https://github.com/zalandoresearch/fashion-mnist), Copyright (c) 2017 Zalando SE,
            https://tech.zalando.com, released under the MIT licence.

            train-images-idx3-ubyte.gz / train-labels-idx1-ubyte.gz: the first 300 images of each
            class of the Fashion-MNIST training set, in their original order (3000 images).
            images/: 2 images per class from the Fashion-MNIST test set (the first two of each
            class), 28 x 28 grey, the first as PNG and the second as JPEG (quality 0.95); the number
            in a file name is the image's index in the test set. images/index.tsv gives each file's
            class.

            Regenerate with io.imgstream.demo.DemoAssetsRegenerationTest (see its Javadoc).
            """;

    static boolean datasetInstalled() {
        return Files.isDirectory(Path.of(DATASET_DIRECTORY));
    }

    @Test
    @EnabledIf("datasetInstalled")
    void shouldRegenerateDemoAssetsFromFashionMnist() throws IOException {
        Path dataset = Path.of(DATASET_DIRECTORY);
        LabeledImages train = IdxImages.read(
                dataset.resolve("train-images-idx3-ubyte.gz"), dataset.resolve("train-labels-idx1-ubyte.gz"));
        LabeledImages test = IdxImages.read(
                dataset.resolve("t10k-images-idx3-ubyte.gz"), dataset.resolve("t10k-labels-idx1-ubyte.gz"));
        Path images = OUTPUT.resolve(DemoModel.IMAGES_DIRECTORY);
        Files.createDirectories(images);

        LabeledImages subset = train.firstPerClass(DemoModel.SHIPPED_PER_CLASS);
        IdxImages.write(
                subset, OUTPUT.resolve(DemoModel.TRAIN_IMAGES_FILE), OUTPUT.resolve(DemoModel.TRAIN_LABELS_FILE));
        Files.write(OUTPUT.resolve(DemoModel.CLASSES_FILE), CLASSES);
        Files.writeString(OUTPUT.resolve("NOTICE"), NOTICE);

        List<String> index = new ArrayList<>();
        for (int label = 0; label < CLASSES.size(); label++) {
            int written = 0;
            for (int i = 0; i < test.count() && written < TEST_IMAGES_PER_CLASS; i++) {
                if (test.label(i) == label) {
                    String format = written == 0 ? "png" : "jpg";
                    String fileName = String.format(Locale.ROOT, "%04d-%s.%s", i, slug(CLASSES.get(label)), format);
                    writeImage(test.image(i), format, images.resolve(fileName));
                    index.add(fileName + "\t" + CLASSES.get(label));
                    written++;
                }
            }
        }
        Files.write(images.resolve(DemoModel.IMAGE_INDEX_FILE), index);

        long shippedBytes = Files.size(OUTPUT.resolve(DemoModel.TRAIN_IMAGES_FILE))
                + Files.size(OUTPUT.resolve(DemoModel.TRAIN_LABELS_FILE));
        assertThat(subset.countsPerClass())
                .containsOnly(DemoModel.SHIPPED_PER_CLASS)
                .hasSize(CLASSES.size());
        assertThat(index).hasSize(CLASSES.size() * TEST_IMAGES_PER_CLASS);
        assertThat(shippedBytes).isLessThan(MAX_SHIPPED_BYTES);
    }

    private static String slug(String className) {
        return className.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    private static void writeImage(BufferedImage image, String format, Path target) throws IOException {
        if (format.equals("png")) {
            assertThat(ImageIO.write(image, "png", target.toFile()))
                    .as("PNG writer available")
                    .isTrue();
            return;
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        Files.deleteIfExists(target);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(target.toFile())) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
