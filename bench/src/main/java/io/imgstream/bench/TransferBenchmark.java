package io.imgstream.bench;

import io.imgstream.model.augment.AugmentationPreset;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.evaluation.EvaluationResult;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.ClassifierTrainer;
import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.training.TrainingConfig;
import io.imgstream.model.training.TransferExperiment;
import io.imgstream.training.fit.Fit;
import io.imgstream.training.fit.FitSettings;
import io.imgstream.training.fit.FolderDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What {@code imgstream fit} learns from few labels, on real images no base was trained on: Fashion-MNIST's test
 * split (Debian's {@code dataset-fashion-mnist}), the first {@code labeled} images of each class among images
 * 0–6999 as the labeled set (four fifths to train, one fifth to validate), and images 7000 onwards, which never get
 * labels, to test. Each base runs through {@code fit} as a user runs it (PNG files in class folders, upscaled to the
 * base's input), with and without fine-tuning; a small CNN trained from scratch on the same labeled images, at their
 * own 28x28, is the baseline a transfer must beat.
 */
public final class TransferBenchmark {

    /** The last test-split image the labeled set may come from, as the issue fixes it. */
    public static final int LABELED_POOL = 7000;

    private static final int SCRATCH_EPOCHS = 30;
    private static final int SCRATCH_BATCH = 32;
    private static final Preprocessing FASHION_MNIST =
            new Preprocessing(28, 28, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);
    private static final List<String> CLASSES = List.of(
            "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    /**
     * What to run.
     *
     * @param labeledPerClass  labeled images per class (train + validation)
     * @param testImages       test images, from image 7000 on
     * @param fineTuneEpochs   epochs of the fine-tuning runs; 0 for none
     * @param unfreezeLayers   base layers fine-tuned (0: VGG's block 5, or 10)
     * @param seed             seed of every run
     * @param workDir          where the images, features and bundles go
     * @param augmentation     what fine-tuning does to each training image
     */
    public record Settings(
            int labeledPerClass,
            int testImages,
            int fineTuneEpochs,
            int unfreezeLayers,
            long seed,
            Path workDir,
            AugmentationPreset augmentation) {

        public Settings {
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(augmentation, "augmentation");
            if (labeledPerClass < 2 || testImages < 1 || LABELED_POOL + testImages > 10_000) {
                throw new IllegalArgumentException("need at least 2 labeled images per class and 1 to "
                        + (10_000 - LABELED_POOL) + " test images, got " + labeledPerClass + " and " + testImages);
            }
        }
    }

    /**
     * One measured path.
     *
     * @param path     e.g. {@code nsfwjs.mobilenet_v2 head} or {@code small CNN from scratch}
     * @param accuracy test accuracy
     * @param tested   test images
     * @param features time computing features (decode included); zero for the baseline
     * @param training time training
     */
    public record Row(String path, double accuracy, int tested, Duration features, Duration training) {}

    private final Consumer<String> log;

    /** @param log progress lines */
    public TransferBenchmark(Consumer<String> log) {
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Runs every path.
     *
     * @param bases the bases to run {@code fit} on, loaded
     */
    public List<Row> run(List<BaseNetwork> bases, Settings settings) throws IOException {
        Path fashionMnist = Path.of(TransferExperiment.DEBIAN_DIRECTORY);
        LabeledImages test = IdxImages.read(
                fashionMnist.resolve(TransferExperiment.TEST_IMAGES),
                fashionMnist.resolve(TransferExperiment.TEST_LABELS));
        LabeledImages pool = test.subset(IntStream.range(0, LABELED_POOL).toArray());
        LabeledImages labeled = pool.firstPerClass(settings.labeledPerClass());
        int validationPerClass = Math.max(1, settings.labeledPerClass() / 5);
        LabeledImages unseen = test.subset(IntStream.range(LABELED_POOL, LABELED_POOL + settings.testImages())
                .toArray());
        Path tree = writeTree(
                labeled, validationPerClass, unseen, settings.workDir().resolve("fashion-mnist"));
        FolderDataset data = FolderDataset.read(tree, 20, settings.seed());
        List<Row> rows = new ArrayList<>();
        for (BaseNetwork base : bases) {
            rows.add(fit(base, data, settings, false, false));
            rows.add(fit(base, data, settings, false, true));
            if (settings.fineTuneEpochs() > 0) {
                rows.add(fit(base, data, settings, true, false));
                rows.add(fit(base, data, settings, true, true));
            }
        }
        rows.add(scratch(labeled, validationPerClass, unseen, settings.seed()));
        return rows;
    }

    private Row fit(BaseNetwork base, FolderDataset data, Settings settings, boolean fineTune, boolean normalized)
            throws IOException {
        String path = base.id().name() + (fineTune ? " fine-tuned" : " head") + (normalized ? ", standardised" : "");
        log.accept("fit: " + path);
        String baseName = "transfer-" + base.id().name().replaceAll("[^A-Za-z0-9.-]", "-");
        String model = baseName + (normalized ? "-std" : "");
        FitSettings fitSettings = new FitSettings(
                model,
                FitSettings.DEFAULT_HEAD_EPOCHS,
                fineTune,
                Math.max(1, settings.fineTuneEpochs()),
                settings.unfreezeLayers(),
                settings.seed(),
                // One work directory per base: every path on it reads the same cached features.
                settings.workDir().resolve("fit").resolve(baseName),
                false,
                normalized,
                settings.augmentation());
        Fit.Outcome outcome = new Fit(base, fitSettings, line -> log.accept("  " + line))
                .run(
                        data,
                        new FileSystemModelStore(settings.workDir().resolve("models")),
                        settings.workDir().resolve("reports").resolve(model),
                        (done, total) -> {});
        return new Row(
                path,
                outcome.report().accuracy(),
                outcome.report().count(),
                outcome.featureTime(),
                outcome.trainTime());
    }

    private Row scratch(LabeledImages labeled, int validationPerClass, LabeledImages unseen, long seed) {
        log.accept("small CNN from scratch");
        List<Integer> train = new ArrayList<>();
        List<Integer> validation = new ArrayList<>();
        int[] seen = new int[CLASSES.size()];
        for (int i = 0; i < labeled.count(); i++) {
            (seen[labeled.label(i)]++ < validationPerClass ? validation : train).add(i);
        }
        long started = System.nanoTime();
        ComputationGraph network = SmallCnn.build(1, 28, 28, CLASSES.size(), seed);
        ClassifierTrainer trainer =
                new ClassifierTrainer(FASHION_MNIST, new TrainingConfig(SCRATCH_EPOCHS, SCRATCH_BATCH, seed));
        trainer.train(network, labeled.subset(indices(train)), labeled.subset(indices(validation)), epoch -> {});
        Duration training = Duration.ofNanos(System.nanoTime() - started);
        EvaluationResult result = trainer.evaluate(network, unseen);
        return new Row("small CNN from scratch, 28x28", result.accuracy(), result.count(), Duration.ZERO, training);
    }

    private static int[] indices(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    // The first validationPerClass labeled images of each class validate, the rest train; every unseen image tests.
    private static Path writeTree(LabeledImages labeled, int validationPerClass, LabeledImages unseen, Path root)
            throws IOException {
        int[] seen = new int[CLASSES.size()];
        for (int i = 0; i < labeled.count(); i++) {
            int label = labeled.label(i);
            write(labeled, i, root.resolve(seen[label]++ < validationPerClass ? "validation" : "train"), "l");
        }
        for (int i = 0; i < unseen.count(); i++) {
            write(unseen, i, root.resolve("test"), "u");
        }
        return root;
    }

    private static void write(LabeledImages images, int index, Path split, String prefix) throws IOException {
        Path folder = Files.createDirectories(split.resolve(CLASSES.get(images.label(index))));
        Path file = folder.resolve(String.format(Locale.ROOT, "%s%05d.png", prefix, index));
        if (!Files.exists(file)) {
            ImageIO.write(images.image(index), "png", file.toFile());
        }
    }

    /** Prints the rows as a Markdown table. */
    public static void print(List<Row> rows, Settings settings, PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "Fashion-MNIST, %d labeled images per class (test images 0-%d), tested on images %d-%d%n%n",
                settings.labeledPerClass(),
                LABELED_POOL - 1,
                LABELED_POOL,
                LABELED_POOL + settings.testImages() - 1);
        out.println("| path | test accuracy | test images | features, s | training, s |");
        out.println("|---|---:|---:|---:|---:|");
        for (Row row : rows) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %.3f | %d | %.1f | %.1f |%n",
                    row.path(),
                    row.accuracy(),
                    row.tested(),
                    row.features().toNanos() / 1e9,
                    row.training().toNanos() / 1e9);
        }
    }
}
