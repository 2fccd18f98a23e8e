package io.imgstream.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PreprocessingTest {

    private static final float EPSILON = 1e-5f;
    private static final int RED = 0xFF0000;
    private static final int GREEN = 0x00FF00;
    private static final int BLUE = 0x0000FF;
    private static final int MIXED = 0x0A141E;

    /** 2 x 2: red, green on top; blue, (10, 20, 30) below. */
    private static BufferedImage twoByTwo() {
        BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, RED);
        image.setRGB(1, 0, GREEN);
        image.setRGB(0, 1, BLUE);
        image.setRGB(1, 1, MIXED);
        return image;
    }

    @Test
    void shouldScaleToUnitRangeInRgbOrder() {
        float[] values = new Preprocessing(2, 2, 3, PixelScaling.UNIT, ResizePolicy.SQUASH).toArray(twoByTwo());

        assertThat(values)
                .containsExactly(
                        new float[] {
                            1, 0, 0, 10 / 255f,
                            0, 1, 0, 20 / 255f,
                            0, 0, 1, 30 / 255f
                        },
                        within(EPSILON));
    }

    @Test
    void shouldSubtractImageNetMeansInBgrOrderForCaffe() {
        float[] values = new Preprocessing(2, 2, 3, PixelScaling.CAFFE_BGR, ResizePolicy.SQUASH).toArray(twoByTwo());

        assertThat(values)
                .containsExactly(
                        new float[] {
                            -103.939f,
                            -103.939f,
                            255 - 103.939f,
                            30 - 103.939f,
                            -116.779f,
                            255 - 116.779f,
                            -116.779f,
                            20 - 116.779f,
                            255 - 123.68f,
                            -123.68f,
                            -123.68f,
                            10 - 123.68f
                        },
                        within(EPSILON));
    }

    @Test
    void shouldScaleToPlusMinusOneForTf() {
        float[] values = new Preprocessing(2, 2, 3, PixelScaling.TF, ResizePolicy.SQUASH).toArray(twoByTwo());

        assertThat(values)
                .containsExactly(
                        new float[] {
                            1, -1, -1, 10 / 127.5f - 1,
                            -1, 1, -1, 20 / 127.5f - 1,
                            -1, -1, 1, 30 / 127.5f - 1
                        },
                        within(EPSILON));
    }

    @Test
    void shouldUseLuminanceForOneChannel() {
        float[] values = new Preprocessing(2, 2, 1, PixelScaling.UNIT, ResizePolicy.SQUASH).toArray(twoByTwo());

        assertThat(values)
                .containsExactly(
                        new float[] {0.299f, 0.587f, 0.114f, (0.299f * 10 + 0.587f * 20 + 0.114f * 30) / 255},
                        within(EPSILON));
    }

    @Test
    void shouldKeepRawGreyLevelsOfGreyImages() {
        BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 128);
        grey.getRaster().setSample(1, 0, 0, 7);

        float[] oneChannel = new Preprocessing(1, 2, 1, PixelScaling.UNIT, ResizePolicy.SQUASH).toArray(grey);
        float[] threeChannels = new Preprocessing(1, 2, 3, PixelScaling.UNIT, ResizePolicy.SQUASH).toArray(grey);

        assertThat(oneChannel).containsExactly(128 / 255f, 7 / 255f);
        assertThat(threeChannels).containsExactly(128 / 255f, 7 / 255f, 128 / 255f, 7 / 255f, 128 / 255f, 7 / 255f);
    }

    @Test
    void shouldCompositeTranslucentPixelsOverWhite() {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, 0x80000000);

        float[] values = new Preprocessing(1, 1, 3, PixelScaling.UNIT, ResizePolicy.SQUASH).toArray(image);

        float expected = Math.round(255 * (1 - 128 / 255.0)) / 255f;
        assertThat(values).containsExactly(new float[] {expected, expected, expected}, within(EPSILON));
    }

    @Test
    void shouldHandleBgrAndIndexedTypesLikeRgb() {
        float[] reference = new Preprocessing(2, 2, 3, PixelScaling.UNIT, ResizePolicy.SQUASH).toArray(twoByTwo());
        for (int type :
                new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_4BYTE_ABGR}) {
            BufferedImage other = new BufferedImage(2, 2, type);
            other.createGraphics().drawImage(twoByTwo(), 0, 0, null);

            float[] values = new Preprocessing(2, 2, 3, PixelScaling.UNIT, ResizePolicy.SQUASH).toArray(other);

            assertThat(values).as("image type %d", type).containsExactly(reference, within(EPSILON));
        }
    }

    @Test
    void shouldReadBgrBytesExactlyAsTheColourModelDoes() throws Exception {
        // Colour JPEG decodes to TYPE_3BYTE_BGR, which preprocessing reads from its bytes: every pixel must match.
        Random random = new Random(3);
        BufferedImage rgb = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                rgb.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(rgb, "jpg", jpeg);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg.toByteArray()));
        assertThat(decoded.getType()).isEqualTo(BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage viaColourModel = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
        viaColourModel.setRGB(0, 0, 37, 23, decoded.getRGB(0, 0, 37, 23, null, 0, 37), 0, 37);
        Preprocessing same = new Preprocessing(23, 37, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);

        assertThat(same.toArray(decoded)).containsExactly(same.toArray(viaColourModel));
        // A sub-image shares its parent's bytes at an offset: it takes the colour model's way, with the same values.
        BufferedImage corner = decoded.getSubimage(5, 3, 20, 11);
        BufferedImage cornerViaColourModel = viaColourModel.getSubimage(5, 3, 20, 11);
        Preprocessing small = new Preprocessing(11, 20, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);
        assertThat(small.toArray(corner)).containsExactly(small.toArray(cornerViaColourModel));
    }

    @Test
    void shouldSquashTheWholeImageButCropTheCentre() {
        // 8 x 4: columns 0-1 red, 2-5 green, 6-7 blue.
        BufferedImage wide = new BufferedImage(8, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                wide.setRGB(x, y, x < 2 ? RED : x < 6 ? GREEN : BLUE);
            }
        }

        BufferedImage squashed = new Preprocessing(2, 2, 3, PixelScaling.UNIT, ResizePolicy.SQUASH).resized(wide);
        BufferedImage cropped = new Preprocessing(2, 2, 3, PixelScaling.UNIT, ResizePolicy.CENTER_CROP).resized(wide);

        assertThat(cropped.getRGB(0, 0) & 0xFFFFFF).as("cropped left").isEqualTo(GREEN);
        assertThat(cropped.getRGB(1, 1) & 0xFFFFFF).as("cropped right").isEqualTo(GREEN);
        int left = squashed.getRGB(0, 0);
        int right = squashed.getRGB(1, 0);
        assertThat(new int[] {(left >> 16) & 0xFF, (left >> 8) & 0xFF, left & 0xFF})
                .as("squashed left: red and green")
                .satisfies(
                        rgb -> assertThat(rgb[0]).isGreaterThan(100),
                        rgb -> assertThat(rgb[1]).isGreaterThan(100),
                        rgb -> assertThat(rgb[2]).isZero());
        assertThat(new int[] {(right >> 16) & 0xFF, (right >> 8) & 0xFF, right & 0xFF})
                .as("squashed right: green and blue")
                .satisfies(
                        rgb -> assertThat(rgb[0]).isZero(),
                        rgb -> assertThat(rgb[1]).isGreaterThan(100),
                        rgb -> assertThat(rgb[2]).isGreaterThan(100));
    }

    @Test
    void shouldCropTopAndBottomOfTallImages() {
        // 2 x 6: rows 0-1 red, 2-3 green, 4-5 blue.
        BufferedImage tall = new BufferedImage(2, 6, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 2; x++) {
                tall.setRGB(x, y, y < 2 ? RED : y < 4 ? GREEN : BLUE);
            }
        }

        BufferedImage cropped = new Preprocessing(2, 2, 3, PixelScaling.UNIT, ResizePolicy.CENTER_CROP).resized(tall);

        assertThat(cropped.getRGB(0, 0) & 0xFFFFFF).isEqualTo(GREEN);
        assertThat(cropped.getRGB(1, 1) & 0xFFFFFF).isEqualTo(GREEN);
    }

    @Test
    void shouldDownscaleLargeImagesSmoothly() {
        // A 1-pixel checkerboard averages to mid grey; a single bilinear step would alias it.
        BufferedImage checkerboard = new BufferedImage(256, 256, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                checkerboard.getRaster().setSample(x, y, 0, (x + y) % 2 == 0 ? 255 : 0);
            }
        }

        float[] values = new Preprocessing(8, 8, 1, PixelScaling.UNIT, ResizePolicy.SQUASH).toArray(checkerboard);

        for (float value : values) {
            assertThat(value).isCloseTo(0.5f, within(0.05f));
        }
    }

    @Test
    void shouldFillBatchRowsAndMatchToArray() {
        Preprocessing preprocessing = new Preprocessing(2, 2, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);
        BufferedImage white = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        white.createGraphics().fillRect(0, 0, 5, 3);

        INDArray batch = preprocessing.toBatch(List.of(twoByTwo(), white));

        assertThat(batch.shape()).containsExactly(2, 3, 2, 2);
        assertThat(batch.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(batch.slice(0).dup().data().asFloat()).containsExactly(preprocessing.toArray(twoByTwo()));
        assertThat(batch.slice(1).dup().data().asFloat()).containsOnly(1f);
    }

    @Test
    void shouldWriteIntoAPreallocatedBatchWithoutTouchingOtherRows() {
        Preprocessing preprocessing = new Preprocessing(2, 2, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);
        INDArray batch = Nd4j.valueArrayOf(preprocessing.batchShape(3), -7f, DataType.FLOAT);

        preprocessing.writeInto(twoByTwo(), batch, 1);

        assertThat(batch.slice(0).dup().data().asFloat()).containsOnly(-7f);
        assertThat(batch.slice(1).dup().data().asFloat()).containsExactly(preprocessing.toArray(twoByTwo()));
        assertThat(batch.slice(2).dup().data().asFloat()).containsOnly(-7f);
    }

    @Test
    void shouldRefuseBatchesOfTheWrongShapeAndBadIndexes() {
        Preprocessing preprocessing = new Preprocessing(2, 2, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);

        assertThatThrownBy(() -> preprocessing.writeInto(twoByTwo(), Nd4j.create(DataType.FLOAT, 1, 1, 2, 2), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 1, 2, 2]")
                .hasMessageContaining("[n, 3, 2, 2]");
        assertThatThrownBy(() -> preprocessing.writeInto(twoByTwo(), Nd4j.create(DataType.FLOAT, 1, 3, 2, 2), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 1");
        assertThatThrownBy(() -> preprocessing.toBatch(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseInvalidSettings() {
        assertThatThrownBy(() -> new Preprocessing(0, 2, 3, PixelScaling.UNIT, ResizePolicy.SQUASH))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Preprocessing(2, 2, 2, PixelScaling.UNIT, ResizePolicy.SQUASH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels");
        assertThatThrownBy(() -> new Preprocessing(2, 2, 1, PixelScaling.CAFFE_BGR, ResizePolicy.SQUASH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CAFFE_BGR");
    }
}
