package io.imgstream.bench;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.features.BottleneckFeatures;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.features.LoadAhead;
import io.imgstream.model.head.ClassWeighting;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.head.HeadTrainer;
import io.imgstream.model.head.HeadTrainingConfig;
import io.imgstream.model.head.LabeledFeatures;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.TransferExperiment;
import io.imgstream.training.fit.ImageFiles;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Feature extraction from image files against raw inference, and a head refit from the cached features against
 * computing them again. Features come as {@code imgstream fit} and the worker's backfill compute them: each file read
 * and decoded to the base's input size by {@code fit}'s own {@link ImageFiles} (default limits) on {@link LoadAhead}'s
 * thread, a minibatch ahead of the {@link FeatureExtractor} that runs it through the base. Raw inference is the same
 * number of images through the base's forward pass alone (the fast path, where the base has one) on one preprocessed
 * minibatch of those images, repeated.
 *
 * <p>Not thread-safe; run alone on the machine for figures worth reporting.
 */
public final class FeatureThroughput {

    /** Side of the JPEG files written from Fashion-MNIST: a photo a little larger than the usual 224x224 input. */
    static final int WRITTEN_SIDE = 448;

    private static final int CLASSES = 2;
    private static final double VALIDATION_FRACTION = 0.2;
    private static final double NANOS_PER_SECOND = 1e9;

    /**
     * One base's figures.
     *
     * @param base           the base's name
     * @param preprocessing  its input
     * @param images         image files computed
     * @param rawSeconds     the same count of images through the forward pass alone
     * @param decodeSeconds  reading and decoding the files, on the load-ahead thread while minibatches ran
     * @param featureSeconds the files to features, decoding included
     * @param epochs         epochs of the head refit
     * @param refitSeconds   the head refit on the features
     */
    public record Row(
            String base,
            Preprocessing preprocessing,
            int images,
            double rawSeconds,
            double decodeSeconds,
            double featureSeconds,
            int epochs,
            double refitSeconds) {

        double rawPerSecond() {
            return images / rawSeconds;
        }

        double filesPerSecond() {
            return images / featureSeconds;
        }

        /** Features from files over raw inference, the goal being 0.9. */
        double ratio() {
            return rawSeconds / featureSeconds;
        }

        /** How much faster a refit from cached features is than computing them again and refitting. */
        double cacheSpeedup() {
            return (featureSeconds + refitSeconds) / refitSeconds;
        }
    }

    private final List<Path> files;
    private final int epochs;
    private final long seed;

    /**
     * @param files  the image files, at least one minibatch of {@value FeatureExtractor#DEFAULT_BATCH_SIZE}
     * @param epochs epochs of the head refit, at least 1
     * @param seed   seed of the head and its labels
     */
    public FeatureThroughput(List<Path> files, int epochs, long seed) {
        if (files.size() < FeatureExtractor.DEFAULT_BATCH_SIZE || epochs < 1) {
            throw new IllegalArgumentException("need at least " + FeatureExtractor.DEFAULT_BATCH_SIZE
                    + " image files and 1 epoch, got " + files.size() + " and " + epochs);
        }
        this.files = List.copyOf(files);
        this.epochs = epochs;
        this.seed = seed;
    }

    /**
     * The image files under {@code directory} (searched recursively, in name order), at most {@code count}.
     *
     * @throws IllegalArgumentException if it holds fewer than one minibatch of files
     */
    public static List<Path> filesIn(Path directory, int count) throws IOException {
        List<Path> found;
        try (Stream<Path> walk = Files.walk(directory)) {
            found = walk.filter(Files::isRegularFile).sorted().limit(count).toList();
        }
        if (found.size() < FeatureExtractor.DEFAULT_BATCH_SIZE) {
            throw new IllegalArgumentException(directory + " holds only " + found.size()
                    + (found.size() == 1 ? " file" : " files") + "; the feature benchmark needs at least "
                    + FeatureExtractor.DEFAULT_BATCH_SIZE);
        }
        return found;
    }

    /**
     * Writes Fashion-MNIST's first {@code count} test images (Debian's {@code dataset-fashion-mnist}) as
     * {@value #WRITTEN_SIDE}x{@value #WRITTEN_SIDE} JPEG files, so that decoding and resizing cost what a photo's
     * would rather than a 28x28 thumbnail's.
     *
     * @throws IOException if the dataset is not installed or a file can't be written
     */
    public static List<Path> writeFashionMnist(Path directory, int count) throws IOException {
        Path dataset = Path.of(TransferExperiment.DEBIAN_DIRECTORY);
        LabeledImages images = IdxImages.read(
                dataset.resolve(TransferExperiment.TEST_IMAGES), dataset.resolve(TransferExperiment.TEST_LABELS));
        Files.createDirectories(directory);
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < Math.min(count, images.count()); i++) {
            BufferedImage photo = new BufferedImage(WRITTEN_SIDE, WRITTEN_SIDE, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = photo.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(images.image(i), 0, 0, WRITTEN_SIDE, WRITTEN_SIDE, null);
            g.dispose();
            Path file = directory.resolve(String.format(Locale.ROOT, "fashion-mnist-%05d.jpg", i));
            ImageIO.write(photo, "jpg", file.toFile());
            written.add(file);
        }
        return written;
    }

    /**
     * Measures one base.
     *
     * @param name     the base's name, for the row
     * @param base     the base
     * @param progress where progress lines go
     * @throws UncheckedIOException     if a file can't be read
     * @throws IllegalArgumentException if a file is not a usable image
     */
    public Row measure(String name, BaseNetwork base, PrintWriter progress) {
        Preprocessing input = base.preprocessing();
        ImageFiles images = new ImageFiles(input);
        progress.printf(Locale.ROOT, "%s: features of %d image files...%n", name, files.size());
        progress.flush();
        List<BottleneckFeatures> features = new ArrayList<>(files.size());
        AtomicLong decodeNanos = new AtomicLong();
        double rawSeconds;
        long started;
        double featureSeconds;
        try (FeatureExtractor extractor = new FeatureExtractor(base)) {
            List<BufferedImage> first = new ArrayList<>();
            for (Path file : files.subList(0, extractor.batchSize())) {
                first.add(decode(images, file));
            }
            // The warm-up allocates the extractor's buffers and lets oneDNN pick its kernels.
            extractor.extract(first);
            started = System.nanoTime();
            new LoadAhead(extractor)
                    .run(
                            files,
                            file -> {
                                long decodeStarted = System.nanoTime();
                                BufferedImage image = decode(images, file);
                                decodeNanos.addAndGet(System.nanoTime() - decodeStarted);
                                return Optional.of(image);
                            },
                            (file, computed) -> features.add(computed));
            featureSeconds = (System.nanoTime() - started) / NANOS_PER_SECOND;
            rawSeconds = rawSeconds(base, input, first);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        progress.printf(Locale.ROOT, "%s: head refit, %d epochs...%n", name, epochs);
        progress.flush();
        Random random = new Random(seed);
        int[] labels = random.ints(files.size(), 0, CLASSES).toArray();
        int validation = Math.max(1, (int) (files.size() * VALIDATION_FRACTION));
        LabeledFeatures all = LabeledFeatures.of(features, labels);
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
        started = System.nanoTime();
        new HeadTrainer(config)
                .train(
                        HeadBuilder.build(
                                base.featureShape(), CLASSES, HeadConfig.forFeatures(base.featureShape(), false), seed),
                        all.subset(IntStream.range(validation, files.size()).toArray()),
                        all.subset(IntStream.range(0, validation).toArray()),
                        epoch -> {});
        double refitSeconds = (System.nanoTime() - started) / NANOS_PER_SECOND;
        return new Row(
                name,
                input,
                files.size(),
                rawSeconds,
                decodeNanos.get() / NANOS_PER_SECOND,
                featureSeconds,
                epochs,
                refitSeconds);
    }

    /** The rows as a Markdown table with a line on what was measured. */
    public static String table(List<Row> rows, String filesNote) {
        StringBuilder out = new StringBuilder();
        out.append("Features from image files (")
                .append(filesNote)
                .append(") as fit and the worker's backfill compute them, decoding included, against raw inference "
                        + "of the same images (the forward pass alone, batch ")
                .append(FeatureExtractor.DEFAULT_BATCH_SIZE)
                .append("); then fit's Dense(256)-Dropout(0.5) head refit on the features once cached:\n\n");
        out.append(
                "| base | input | files | raw img/s | from files img/s | files/raw | decoding ahead, s | features, s "
                        + "| head refit, s | refit from cache |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %dx%d | %d | %.2f | %.2f | %.2fx | %.1f | %.1f | %.1f (%d epoch%s) | %.1fx faster |%n",
                    row.base(),
                    row.preprocessing().width(),
                    row.preprocessing().height(),
                    row.images(),
                    row.rawPerSecond(),
                    row.filesPerSecond(),
                    row.ratio(),
                    row.decodeSeconds(),
                    row.featureSeconds(),
                    row.refitSeconds(),
                    row.epochs(),
                    row.epochs() == 1 ? "" : "s",
                    row.cacheSpeedup()));
        }
        return out.toString();
    }

    private double rawSeconds(BaseNetwork base, Preprocessing input, List<BufferedImage> first) {
        INDArray batch = Nd4j.create(DataType.FLOAT, input.batchShape(first.size()));
        for (int i = 0; i < first.size(); i++) {
            input.writeInto(first.get(i), batch, i);
        }
        UnaryOperator<INDArray> forward = FeatureExtractor.fastPathFor(base)
                .<UnaryOperator<INDArray>>map(fast -> fast::features)
                .orElse(base::features);
        forward.apply(batch);
        int iterations = (files.size() + first.size() - 1) / first.size();
        long started = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            forward.apply(batch);
        }
        // Per image, so that a last partial minibatch on the files' side is compared fairly.
        return (System.nanoTime() - started) / NANOS_PER_SECOND * files.size() / (iterations * first.size());
    }

    private static BufferedImage decode(ImageFiles images, Path file) {
        try {
            return images.decode(file);
        } catch (IOException e) {
            throw new UncheckedIOException("can't read " + file, e);
        }
    }
}
