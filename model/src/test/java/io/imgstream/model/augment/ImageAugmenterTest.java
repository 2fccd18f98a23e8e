package io.imgstream.model.augment;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.model.training.FashionMnistSample;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageAugmenterTest {

    private static BufferedImage colourImage() {
        BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, (x * 6 << 16) | (y * 8 << 8) | ((x + y) * 3));
            }
        }
        return image;
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRaster().getPixels(0, 0, image.getWidth(), image.getHeight(), (int[]) null);
    }

    @Test
    void shouldGiveTheSamePixelsForTheSameSeed() {
        ImageAugmenter augmenter = new ImageAugmenter(AugmentationConfig.defaults());
        BufferedImage image = colourImage();

        BufferedImage first = augmenter.augment(image, new Random(17));
        BufferedImage second = augmenter.augment(image, new Random(17));
        BufferedImage other = augmenter.augment(image, new Random(18));

        assertThat(pixels(second)).isEqualTo(pixels(first));
        assertThat(pixels(other)).isNotEqualTo(pixels(first));
        assertThat(pixels(first)).as("the input is not modified").isNotEqualTo(pixels(image));
        assertThat(pixels(image)).isEqualTo(pixels(colourImage()));
    }

    @Test
    void shouldReturnTheSameImageWhenEveryRangeIsZero() {
        BufferedImage image = colourImage();

        BufferedImage unchanged = new ImageAugmenter(AugmentationConfig.none()).augment(image, new Random(3));

        assertThat(unchanged.getWidth()).isEqualTo(40);
        assertThat(unchanged.getHeight()).isEqualTo(30);
        assertThat(pixels(unchanged)).isEqualTo(pixels(image));
    }

    @Test
    void shouldMirrorLeftRightWhenOnlyFlippingAndTheCoinSaysSo() {
        BufferedImage image = colourImage();
        ImageAugmenter flipOnly = new ImageAugmenter(new AugmentationConfig(0, 0, 0, 0, 0, true, 0));
        int flipped = 0;

        for (int seed = 0; seed < 20; seed++) {
            BufferedImage result = flipOnly.augment(image, new Random(seed));
            boolean mirrored =
                    result.getRGB(0, 5) == image.getRGB(39, 5) && result.getRGB(39, 29) == image.getRGB(0, 29);
            boolean unchanged = Arrays.equals(pixels(result), pixels(image));
            assertThat(mirrored || unchanged)
                    .as("seed %d gives the image or its mirror", seed)
                    .isTrue();
            flipped += mirrored ? 1 : 0;
        }

        assertThat(flipped).as("about half of 20 seeds flip").isBetween(4, 16);
    }

    @Test
    void shouldKeepGreyImagesGreyWithTheirOwnSampleValues() {
        BufferedImage grey = FashionMnistSample.trainingSubset().image(0);

        BufferedImage brighter =
                new ImageAugmenter(new AugmentationConfig(0, 0, 0, 0, 0, false, 0.5)).augment(grey, new Random(1));

        assertThat(brighter.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        int[] before = pixels(grey);
        int[] after = pixels(brighter);
        double factor = 0;
        for (int i = 0; i < before.length; i++) {
            if (before[i] > 20 && before[i] < 120) {
                factor = (double) after[i] / before[i];
                break;
            }
        }
        assertThat(factor)
                .as("one brightness factor in [0.5, 1.5] for every pixel")
                .isBetween(0.5, 1.5)
                .isNotEqualTo(1.0);
    }
}
