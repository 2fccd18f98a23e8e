package io.imgstream.model.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.ClassifierTrainer;
import io.imgstream.model.training.FashionMnistSample;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.training.TrainingConfig;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grad-CAM on a SmallCnn really trained on Fashion-MNIST (a sample of it). */
class GradCamTest {

    private static final int TRAIN_PER_CLASS = 150;
    /** Fashion-MNIST backgrounds are 0; garments are brighter than this. */
    private static final int GARMENT_LEVEL = 30;

    private static LabeledImages holdout;
    private static ComputationGraph network;

    @BeforeAll
    static void trainOnFashionMnist() {
        LabeledImages sample = FashionMnistSample.trainingSubset();
        LabeledImages train = sample.firstPerClass(TRAIN_PER_CLASS);
        int[] rest = java.util.stream.IntStream.range(0, sample.count())
                .filter(i -> i % 10 == 3)
                .limit(200)
                .toArray();
        holdout = sample.subset(rest);
        network = SmallCnn.build(1, 28, 28, 10, 1, FashionMnistSample.NETWORK);
        new ClassifierTrainer(FashionMnistSample.PREPROCESSING, new TrainingConfig(2, 32, 1))
                .train(network, train, holdout, epoch -> {});
    }

    private static float min(Heatmap heatmap) {
        float min = Float.MAX_VALUE;
        for (float v : heatmap.values()) {
            min = Math.min(min, v);
        }
        return min;
    }

    private static float max(Heatmap heatmap) {
        float max = -Float.MAX_VALUE;
        for (float v : heatmap.values()) {
            max = Math.max(max, v);
        }
        return max;
    }

    @Test
    void shouldExplainThePredictedClassWithANonConstantMapInZeroToOneOfTheImageSize(@TempDir Path directory)
            throws IOException {
        BufferedImage image = holdout.image(0);

        Heatmap heatmap =
                new GradCam(FashionMnistSample.PREPROCESSING).explain(network, image, List.of(SmallCnn.CONV2));

        assertThat(heatmap.width()).isEqualTo(28);
        assertThat(heatmap.height()).isEqualTo(28);
        assertThat(min(heatmap)).isGreaterThanOrEqualTo(0f);
        assertThat(max(heatmap)).as("normalised by its maximum").isEqualTo(1f);
        assertThat(min(heatmap)).as("not constant").isLessThan(0.5f);
        assertThat(heatmap.classProbability()).isBetween(0.0, 1.0);
        assertThat(heatmap.layers()).containsExactly(SmallCnn.CONV2);

        Path png = directory.resolve("explained.png");
        HeatmapOverlay.writePng(image, heatmap, png);
        BufferedImage written = ImageIO.read(png.toFile());
        assertThat(written.getWidth()).isEqualTo(28);
        assertThat(written.getHeight()).isEqualTo(28);
    }

    @Test
    void shouldPutMoreHeatOnTheGarmentThanOnTheEmptyBackground() {
        GradCam gradCam = new GradCam(FashionMnistSample.PREPROCESSING);
        double onGarment = 0;
        double onBackground = 0;
        for (int i = 0; i < 20; i++) {
            BufferedImage image = holdout.image(i);
            Heatmap heatmap = gradCam.explain(network, image, List.of(SmallCnn.CONV2));
            int[] pixels = image.getRaster().getPixels(0, 0, 28, 28, (int[]) null);
            double garmentSum = 0;
            double backgroundSum = 0;
            int garmentCount = 0;
            for (int p = 0; p < pixels.length; p++) {
                if (pixels[p] > GARMENT_LEVEL) {
                    garmentSum += heatmap.values()[p];
                    garmentCount++;
                } else if (pixels[p] == 0) {
                    backgroundSum += heatmap.values()[p];
                }
            }
            onGarment += garmentSum / garmentCount;
            onBackground += backgroundSum / (pixels.length - garmentCount);
        }

        assertThat(onGarment / 20)
                .as("mean heat on garment pixels vs background %.3f", onBackground / 20)
                .isGreaterThan(onBackground / 20);
    }

    @Test
    void shouldUpsampleTheMapToAnImageLargerThanTheNetworkInput() {
        BufferedImage small = holdout.image(1);
        BufferedImage large = new BufferedImage(84, 56, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = large.createGraphics();
        g.drawImage(small, 0, 0, 84, 56, null);
        g.dispose();
        Preprocessing squash = new Preprocessing(28, 28, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);

        Heatmap heatmap = new GradCam(squash).explain(network, large, List.of(SmallCnn.CONV1), holdout.label(1));

        assertThat(heatmap.width()).isEqualTo(84);
        assertThat(heatmap.height()).isEqualTo(56);
        assertThat(heatmap.classIndex()).isEqualTo(holdout.label(1));
        assertThat(max(heatmap)).isLessThanOrEqualTo(1f);
        assertThat(min(heatmap)).isGreaterThanOrEqualTo(0f);
        assertThat(HeatmapOverlay.render(large, heatmap, 0.5).getWidth()).isEqualTo(84);
    }
}
