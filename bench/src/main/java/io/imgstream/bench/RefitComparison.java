package io.imgstream.bench;

import io.imgstream.model.base.VggBase;
import io.imgstream.model.features.BottleneckFeatures;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.head.ClassWeighting;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.head.HeadTrainer;
import io.imgstream.model.head.HeadTrainingConfig;
import io.imgstream.model.head.LabeledFeatures;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What the feature cache saves a refit: the time to compute VGG16 bottleneck features for {@code images} images
 * (150x150, fast path, batches of 8) against the time to refit the seeds' head on those features once cached.
 * Random weights and noise images: the times do not depend on values.
 */
public final class RefitComparison {

    private static final int SIDE = 150;
    private static final int CLASSES = 2;
    private static final int CHANNELS_RGB = 24;
    private static final double VALIDATION_FRACTION = 0.2;

    private final int images;
    private final int epochs;
    private final long seed;

    /**
     * @param images images whose features are computed, then refit on
     * @param epochs epochs of the head refit
     * @param seed   seed of the weights, images and split
     */
    public RefitComparison(int images, int epochs, long seed) {
        this.images = images;
        this.epochs = epochs;
        this.seed = seed;
    }

    /** Runs both and returns a one-paragraph report. */
    public String run(PrintWriter progress) {
        VggBase vgg = VggBase.random(VggBase.Variant.VGG16, SIDE, SIDE, seed);
        Random random = new Random(seed);
        progress.printf("Refit comparison: features for %d images...%n", images);
        progress.flush();
        List<BottleneckFeatures> features = new ArrayList<>(images);
        long started = System.nanoTime();
        try (FeatureExtractor extractor = new FeatureExtractor(vgg)) {
            for (int from = 0; from < images; from += FeatureExtractor.DEFAULT_BATCH_SIZE) {
                List<BufferedImage> chunk = new ArrayList<>();
                for (int i = from; i < Math.min(images, from + FeatureExtractor.DEFAULT_BATCH_SIZE); i++) {
                    chunk.add(noise(random));
                }
                features.addAll(extractor.extract(chunk));
            }
        }
        double featureSeconds = (System.nanoTime() - started) / 1e9;
        int[] labels = random.ints(images, 0, CLASSES).toArray();
        int validation = (int) (images * VALIDATION_FRACTION);
        LabeledFeatures all = LabeledFeatures.of(features, labels);
        LabeledFeatures train = all.subset(range(validation, images));
        LabeledFeatures held = all.subset(range(0, validation));
        HeadTrainingConfig config = new HeadTrainingConfig(
                epochs,
                HeadTrainingConfig.DEFAULT_BATCH_SIZE,
                seed,
                epochs,
                0.0,
                epochs,
                HeadTrainingConfig.DEFAULT_PLATEAU_FACTOR,
                HeadTrainingConfig.DEFAULT_MIN_LEARNING_RATE,
                ClassWeighting.NONE,
                false);
        progress.printf("Refit comparison: head refit, %d epochs...%n", epochs);
        progress.flush();
        started = System.nanoTime();
        new HeadTrainer(config)
                .train(
                        HeadBuilder.build(vgg.featureShape(), CLASSES, HeadConfig.defaults(), seed),
                        train,
                        held,
                        epoch -> {});
        double refitSeconds = (System.nanoTime() - started) / 1e9;
        return String.format(
                Locale.ROOT,
                "Refit from cached features vs recomputing them: VGG16 features of %d images "
                        + "at %dx%d took %.1f s (%.1f images/s, fast path); refitting the Dense(256)-Dropout(0.5) head "
                        + "on them "
                        + "for %d epochs took %.1f s (%.2f s/epoch). A refit from the cache is %.1fx faster than "
                        + "computing "
                        + "the features again and refitting.",
                images,
                SIDE,
                SIDE,
                featureSeconds,
                images / featureSeconds,
                epochs,
                refitSeconds,
                refitSeconds / epochs,
                (featureSeconds + refitSeconds) / refitSeconds);
    }

    private static BufferedImage noise(Random random) {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                image.setRGB(x, y, random.nextInt(1 << CHANNELS_RGB));
            }
        }
        return image;
    }

    private static int[] range(int from, int to) {
        int[] indices = new int[to - from];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = from + i;
        }
        return indices;
    }
}
