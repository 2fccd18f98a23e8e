package io.imgstream.cli.demo;

import io.imgstream.demo.DemoModel;
import io.imgstream.demo.TrainingImageFolders;
import io.imgstream.model.augment.AugmentationPreset;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.head.HeadKind;
import io.imgstream.training.fit.Fit;
import io.imgstream.training.fit.FitSettings;
import io.imgstream.training.fit.FolderDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The demo's model fitted on a pretrained base, as {@code imgstream fit} fits one: the first {@code perClass} of the
 * shipped labeled training images of each class written as class folders, a fifth of each class validating, a linear
 * head ({@code fit --head linear}: the best path measured on these images, 0.870 validation accuracy on nsfwjs
 * MobileNetV2's block 13 against the standardised dense head's 0.820). Fitted once per base and kept in the work
 * directory's model store as {@code fashion-demo-<base>}; later demos reuse it.
 *
 * @param base     the pretrained base, loaded from the base store
 * @param perClass labeled images per class, 1 to {@value DemoModel#SHIPPED_PER_CLASS}
 */
public record TransferDemoModel(BaseNetwork base, int perClass) {

    /** Default labeled images per class: the few labels the transfer benchmarks start from. */
    public static final int DEFAULT_PER_CLASS = 50;

    private static final String MODEL_PREFIX = "fashion-demo-";
    private static final int VALIDATION_PERCENT = 20;
    private static final long SEED = 42;
    private static final int PROGRESS_EVERY = 100;

    /**
     * @throws IllegalArgumentException if {@code perClass} is out of range
     */
    public TransferDemoModel {
        Objects.requireNonNull(base, "base");
        if (perClass < 1 || perClass > DemoModel.SHIPPED_PER_CLASS) {
            throw new IllegalArgumentException("images per class must be between 1 and " + DemoModel.SHIPPED_PER_CLASS
                    + " (what the demo ships), was " + perClass);
        }
    }

    /** The model's name: {@code fashion-demo-<base name>}. */
    public String modelName() {
        return MODEL_PREFIX + base.id().name();
    }

    /** The newest stored version of this model, if an earlier demo fitted one. */
    Optional<StoredBundle> stored(FileSystemModelStore store) {
        return store.list().stream()
                .filter(bundle -> bundle.modelName().equals(modelName()))
                .max(Comparator.comparingInt(StoredBundle::version));
    }

    /**
     * Writes the labeled images and fits the model on them.
     *
     * @param workDir  the demo's work directory: images under {@code demo-fit/}, features and overlays under
     *                 {@code fit/<model>/}, as {@code fit} keeps them
     * @param store    where the bundle goes
     * @param progress where progress lines go
     * @throws IOException if an image, the feature cache or the store can't be read or written
     */
    StoredBundle fit(Path workDir, FileSystemModelStore store, PrintWriter progress) throws IOException {
        Path images = labeledImages(workDir.resolve("demo-fit").resolve(perClass + "-per-class"));
        FolderDataset data = FolderDataset.read(images, VALIDATION_PERCENT, SEED);
        FitSettings settings = new FitSettings(
                modelName(),
                FitSettings.DEFAULT_HEAD_EPOCHS,
                false,
                FitSettings.DEFAULT_FINE_TUNE_EPOCHS,
                0,
                SEED,
                workDir.resolve("fit").resolve(modelName()),
                false,
                false,
                AugmentationPreset.SEEDS,
                HeadKind.LINEAR);
        // The validation images' features start where the training images' ended: that count is printed once.
        int[] printed = {-1};
        Fit.Outcome outcome = new Fit(base, settings, line -> {
                    progress.println("  " + line);
                    progress.flush();
                })
                .run(data, store, settings.workDir().resolve("report"), (done, total) -> {
                    if ((done % PROGRESS_EVERY == 0 || done.equals(total)) && done != printed[0]) {
                        printed[0] = done;
                        progress.printf("  features: %d of %d images%n", done, total);
                        progress.flush();
                    }
                });
        progress.printf(
                Locale.ROOT,
                "Fitted %s v%d on %d labeled images: %s accuracy %.3f on %d images; saved to %s%n",
                outcome.manifest().modelName(),
                outcome.manifest().version(),
                data.train().size() + data.validation().size(),
                outcome.evaluatedOn(),
                outcome.report().accuracy(),
                outcome.report().count(),
                outcome.bundle().uri());
        return outcome.bundle();
    }

    // Written aside and moved into place whole, so an interrupted demo never leaves a tree with classes missing.
    private Path labeledImages(Path tree) throws IOException {
        if (Files.isDirectory(tree)) {
            return tree;
        }
        Files.createDirectories(tree.getParent());
        Path partial = Files.createTempDirectory(tree.getParent(), "writing-");
        TrainingImageFolders.write(partial, perClass);
        Files.move(partial, tree, StandardCopyOption.ATOMIC_MOVE);
        return tree;
    }
}
