package io.imgstream.bench;

import io.imgstream.model.augment.AugmentationPreset;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.evaluation.EvaluationResult;
import io.imgstream.model.head.HeadKind;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.ClassifierTrainer;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.training.TrainingConfig;
import io.imgstream.training.fit.Fit;
import io.imgstream.training.fit.FitSettings;
import io.imgstream.training.fit.FolderDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What {@code imgstream fit} learns from few labels, on real images no base was trained on: Fashion-MNIST's test
 * split (Debian's {@code dataset-fashion-mnist}), the first {@code labeled} images of each class among images
 * 0–6999 as the labeled set (four fifths to train, one fifth to validate), and the last images before 7000, which
 * never get labels, to test. Each base runs through {@code fit} as a user runs it (PNG files in class folders,
 * upscaled to the base's input), with and without fine-tuning; a small CNN trained from scratch on the same labeled
 * images, at their own 28x28, is the baseline a transfer must beat.
 */
public final class TransferBenchmark {

    private static final int SCRATCH_EPOCHS = 30;
    private static final int SCRATCH_BATCH = 32;
    private static final Preprocessing FASHION_MNIST =
            new Preprocessing(28, 28, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);

    /**
     * What to run.
     *
     * @param labeledPerClass  labeled images per class (train + validation)
     * @param testImages       test images, the last ones before image 7000
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
            FewLabels.check(labeledPerClass, testImages);
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
        FewLabels split = FewLabels.read(settings.labeledPerClass(), settings.testImages());
        Path tree = writeTree(split, settings.workDir().resolve("fashion-mnist"));
        FolderDataset data = FolderDataset.read(tree, 20, settings.seed());
        List<Row> rows = new ArrayList<>();
        for (BaseNetwork base : bases) {
            rows.add(fit(base, data, settings, false, false, HeadKind.DENSE));
            rows.add(fit(base, data, settings, false, true, HeadKind.DENSE));
            rows.add(fit(base, data, settings, false, false, HeadKind.LINEAR));
            if (settings.fineTuneEpochs() > 0) {
                rows.add(fit(base, data, settings, true, false, HeadKind.DENSE));
                rows.add(fit(base, data, settings, true, true, HeadKind.DENSE));
                rows.add(fit(base, data, settings, true, false, HeadKind.LINEAR));
            }
        }
        rows.add(scratch(split, settings.seed()));
        return rows;
    }

    private Row fit(
            BaseNetwork base,
            FolderDataset data,
            Settings settings,
            boolean fineTune,
            boolean normalized,
            HeadKind head)
            throws IOException {
        String path = base.id().name()
                + (head == HeadKind.LINEAR ? " linear head" : " head")
                + (fineTune ? ", fine-tuned" : "")
                + (normalized ? ", standardised" : "");
        log.accept("fit: " + path);
        String baseName = "transfer-" + base.id().name().replaceAll("[^A-Za-z0-9.-]", "-");
        String model = baseName + (normalized ? "-std" : "") + (head == HeadKind.LINEAR ? "-linear" : "");
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
                settings.augmentation(),
                head);
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

    private Row scratch(FewLabels split, long seed) {
        log.accept("small CNN from scratch");
        long started = System.nanoTime();
        ComputationGraph network = SmallCnn.build(1, 28, 28, FewLabels.CLASSES.size(), seed);
        ClassifierTrainer trainer =
                new ClassifierTrainer(FASHION_MNIST, new TrainingConfig(SCRATCH_EPOCHS, SCRATCH_BATCH, seed));
        trainer.train(network, split.train(), split.validation(), epoch -> {});
        Duration training = Duration.ofNanos(System.nanoTime() - started);
        EvaluationResult result = trainer.evaluate(network, split.test());
        return new Row("small CNN from scratch, 28x28", result.accuracy(), result.count(), Duration.ZERO, training);
    }

    // The folder-per-class tree fit reads, each image named by its number in the test split. An image already
    // there is kept (its cached features key on the file's modification time); one this split does not hold, left
    // by a run with other sizes, is removed, or fit would read it as one more example.
    static Path writeTree(FewLabels split, Path root) throws IOException {
        Set<Path> files = new HashSet<>();
        for (int i = 0; i < split.labeled().count(); i++) {
            String side = split.validates(i) ? "validation" : "train";
            files.add(write(split.labeled(), i, split.labeledNumbers()[i], root.resolve(side)));
        }
        for (int i = 0; i < split.test().count(); i++) {
            files.add(write(split.test(), i, split.testNumber(i), root.resolve("test")));
        }
        try (Stream<Path> existing = Files.walk(root)) {
            for (Path stray : existing.filter(Files::isRegularFile)
                    .filter(file -> !files.contains(file))
                    .toList()) {
                Files.delete(stray);
            }
        }
        return root;
    }

    private static Path write(LabeledImages images, int index, int number, Path split) throws IOException {
        Path folder = Files.createDirectories(split.resolve(FewLabels.CLASSES.get(images.label(index))));
        Path file = folder.resolve(String.format(Locale.ROOT, "%05d.png", number));
        if (!Files.exists(file)) {
            ImageIO.write(images.image(index), "png", file.toFile());
        }
        return file;
    }

    /** Prints the rows as a Markdown table. */
    public static void print(List<Row> rows, Settings settings, PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "Fashion-MNIST test images 0-%d: %d labeled images per class, tested on images %d-%d%n%n",
                FewLabels.POOL - 1,
                settings.labeledPerClass(),
                FewLabels.testFrom(settings.testImages()),
                FewLabels.POOL - 1);
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
