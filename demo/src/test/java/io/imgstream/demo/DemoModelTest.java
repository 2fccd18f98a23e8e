package io.imgstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.images.decode.ImageDecodeException;
import io.imgstream.images.decode.ImageDecoder;
import io.imgstream.images.decode.ImageLimits;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.training.LabeledImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoModelTest {

    private static final long SEED = 42;
    private static final double MIN_HOLDOUT_ACCURACY = 0.70;
    // 20 images are too few to measure accuracy (the holdout of 500 does that); this only shows that
    // files on disk go through decoder, preprocessing and network to mostly right answers (13 here).
    private static final int MIN_CORRECT_DEMO_IMAGES = 10;

    private static ModelBundle bundle;
    private static String progress;

    @BeforeAll
    static void trainOnce() {
        StringWriter out = new StringWriter();
        bundle = DemoModel.train("fashion", 1, SEED, new PrintWriter(out));
        progress = out.toString();
    }

    @Test
    void shouldTrainToHoldoutAccuracyWellAboveChance() {
        assertThat(bundle.manifest().metrics().get(DemoModel.HOLDOUT_ACCURACY))
                .as("holdout accuracy; training log:%n%s", progress)
                .isGreaterThanOrEqualTo(MIN_HOLDOUT_ACCURACY);
        assertThat(progress).contains("epoch " + DemoModel.EPOCHS + "/" + DemoModel.EPOCHS);
    }

    @Test
    void shouldDescribeTheModelInTheManifest() {
        assertThat(bundle.manifest().classes())
                .hasSize(10)
                .startsWith("T-shirt/top")
                .endsWith("Ankle boot");
        assertThat(bundle.manifest().baseModelId()).isEqualTo(DemoModel.BASE_MODEL_ID);
        assertThat(bundle.manifest().preprocessing()).isEqualTo(DemoModel.PREPROCESSING);
        assertThat(bundle.manifest().metrics())
                .containsKeys(DemoModel.HOLDOUT_ACCURACY, DemoModel.HOLDOUT_LOSS, DemoModel.TRAIN_ACCURACY);
        assertThat(bundle.manifest().parentVersion()).isNull();
        assertThat(bundle.curves())
                .as("training curves carried in the bundle")
                .hasValueSatisfying(
                        curves -> assertThat(curves.epoch()).isNotEmpty().startsWith(1));
    }

    @Test
    void shouldClassifyMostShippedTestImagesThroughDecoderAndPreprocessing(@TempDir Path dir)
            throws IOException, ImageDecodeException {
        List<Path> files = DemoModel.extractDemoImages(dir);
        List<DemoImage> expected = DemoModel.demoImages();
        ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
        List<BufferedImage> images = new ArrayList<>();
        for (Path file : files) {
            images.add(decoder.decode(Files.readAllBytes(file)));
        }

        float[][] probabilities =
                bundle.predict(bundle.manifest().preprocessing().toBatch(images));

        int correct = 0;
        List<String> predictions = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            String predicted = bundle.manifest().classes().get(argMax(probabilities[i]));
            predictions.add(expected.get(i).fileName() + " -> " + predicted);
            if (predicted.equals(expected.get(i).label())) {
                correct++;
            }
        }
        assertThat(correct).as("correct of 20: %s", predictions).isGreaterThanOrEqualTo(MIN_CORRECT_DEMO_IMAGES);
    }

    @Test
    void shouldDecodeShippedDemoImagesAtTheirSize(@TempDir Path dir) throws IOException, ImageDecodeException {
        List<Path> files = DemoModel.extractDemoImages(dir);
        List<DemoImage> index = DemoModel.demoImages();
        ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());

        for (int i = 0; i < files.size(); i++) {
            BufferedImage image = decoder.decode(Files.readAllBytes(files.get(i)));
            assertThat(image.getWidth()).as(index.get(i).fileName()).isEqualTo(DemoModel.IMAGE_SIDE);
            assertThat(image.getHeight()).as(index.get(i).fileName()).isEqualTo(DemoModel.IMAGE_SIDE);
        }
        assertThat(files).hasSize(20);
    }

    @Test
    void shouldExtractTwentyImagesHalfPngHalfJpeg(@TempDir Path dir) {
        List<Path> files = DemoModel.extractDemoImages(dir.resolve("nested"));

        assertThat(files).hasSize(20).allSatisfy(file -> assertThat(file).isRegularFile());
        assertThat(files).filteredOn(file -> file.toString().endsWith(".png")).hasSize(10);
        assertThat(files).filteredOn(file -> file.toString().endsWith(".jpg")).hasSize(10);
        assertThat(DemoModel.demoImages()).extracting(DemoImage::label).containsAll(DemoModel.classes());
    }

    @Test
    void shouldShipABalancedTrainingSubsetAndAHoldoutSplit() {
        LabeledImages shipped = DemoModel.trainingSubset();
        LabeledImages[] split = DemoModel.splitHoldout(shipped, DemoModel.HOLDOUT_PER_CLASS);

        assertThat(shipped.countsPerClass()).hasSize(10).containsOnly(DemoModel.SHIPPED_PER_CLASS);
        assertThat(split[0].countsPerClass()).containsOnly(DemoModel.SHIPPED_PER_CLASS - DemoModel.HOLDOUT_PER_CLASS);
        assertThat(split[1].countsPerClass()).containsOnly(DemoModel.HOLDOUT_PER_CLASS);
    }

    private static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
