package io.imgstream.demo;

import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.evaluation.EvaluationResult;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.ClassifierTrainer;
import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.training.TrainingConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The demo's model, trained on the spot from data shipped in this jar, so {@code imgstream demo}
 * works on a fresh machine without any dataset or download.
 *
 * <p>The shipped data (resources under {@value #RESOURCE_DIRECTORY}): a balanced Fashion-MNIST
 * training subset of {@value #SHIPPED_PER_CLASS} images per class (the first of each class in the
 * official training set), the class names, and 20 images from the official <em>test</em> set
 * (2 per class, 10 PNG and 10 JPEG, 28 x 28 grey) that the model never trains on. The test class
 * {@code DemoAssetsRegenerationTest} rebuilds them from Debian's {@code dataset-fashion-mnist}.
 *
 * <p>Training: {@link SmallCnn} with {@link #NETWORK} settings, {@value #EPOCHS} epochs of minibatches of
 * {@value #BATCH_SIZE}, on all but the last {@value #HOLDOUT_PER_CLASS} images of each class; those
 * are the holdout behind the {@value #HOLDOUT_ACCURACY} metric.
 *
 * <p>Stateless and thread-safe.
 */
public final class DemoModel {

    /** Class-path directory of the shipped assets. */
    public static final String RESOURCE_DIRECTORY = "/io/imgstream/demo/";
    /** Shipped training images, gzipped idx. */
    public static final String TRAIN_IMAGES_FILE = "train-images-idx3-ubyte.gz";
    /** Shipped training labels, gzipped idx. */
    public static final String TRAIN_LABELS_FILE = "train-labels-idx1-ubyte.gz";
    /** Class names, one a line, in label order. */
    public static final String CLASSES_FILE = "classes.txt";
    /** Directory of the shipped test images, below {@link #RESOURCE_DIRECTORY}. */
    public static final String IMAGES_DIRECTORY = "images/";
    /** Index of the test images: one {@code fileName<TAB>label} a line. */
    public static final String IMAGE_INDEX_FILE = "index.tsv";

    /** Images per class in the shipped training subset. */
    public static final int SHIPPED_PER_CLASS = 300;
    /** Images per class held out from training to measure accuracy. */
    public static final int HOLDOUT_PER_CLASS = 50;
    /** Side of the square grey images, in pixels. */
    public static final int IMAGE_SIDE = 28;
    /** Training epochs. */
    public static final int EPOCHS = 5;
    /** Minibatch size. */
    public static final int BATCH_SIZE = 32;

    /**
     * Network settings: {@link SmallCnn}'s layout with 8 and 16 filters of 3 x 3 and an Adam
     * learning rate of 0.002, which reaches about 0.8 holdout accuracy in {@value #EPOCHS} epochs
     * at about 1.5 ms per training image on two cores (the default 16 and 32 filters cost twice as much).
     */
    public static final SmallCnn.Config NETWORK = new SmallCnn.Config(8, 3, 16, 3, 2, 64, 0.5, 2e-3, 1e-4);

    /** Base model id in the manifest: the network is trained from scratch. */
    public static final String BASE_MODEL_ID = "small-cnn-28x28-gray";
    /** How the demo model sees images. */
    public static final Preprocessing PREPROCESSING =
            new Preprocessing(IMAGE_SIDE, IMAGE_SIDE, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);

    /** Metric name: accuracy on the holdout. */
    public static final String HOLDOUT_ACCURACY = "holdoutAccuracy";
    /** Metric name: mean cross-entropy on the holdout. */
    public static final String HOLDOUT_LOSS = "holdoutLoss";
    /** Metric name: accuracy on the training images after the last epoch. */
    public static final String TRAIN_ACCURACY = "trainAccuracy";

    private static final String INDEX_SEPARATOR = "\t";

    private DemoModel() {}

    /**
     * Trains the demo model: 20 to 45 seconds on two cores, depending on what else runs there.
     *
     * @param modelName model name for the manifest
     * @param version   model version for the manifest
     * @param seed      seed of weight initialisation, shuffling and dropout
     * @param progress  receives one line per epoch and a summary; flushed after each line, not closed
     * @return the trained bundle, with holdout metrics
     * @throws IllegalStateException if the shipped assets are missing from the class path
     */
    public static ModelBundle train(String modelName, int version, long seed, PrintWriter progress) {
        Objects.requireNonNull(progress, "progress");
        List<String> classes = classes();
        LabeledImages shipped = trainingSubset();
        LabeledImages[] split = splitHoldout(shipped, HOLDOUT_PER_CLASS);
        LabeledImages train = split[0];
        LabeledImages holdout = split[1];
        progress.printf(
                Locale.ROOT,
                "training %s v%d on %d Fashion-MNIST images (%d held out), %d epochs%n",
                modelName,
                version,
                train.count(),
                holdout.count(),
                EPOCHS);
        progress.flush();

        long started = System.nanoTime();
        ComputationGraph network = SmallCnn.build(
                PREPROCESSING.channels(), PREPROCESSING.height(), PREPROCESSING.width(), classes.size(), seed, NETWORK);
        ClassifierTrainer trainer = new ClassifierTrainer(PREPROCESSING, new TrainingConfig(EPOCHS, BATCH_SIZE, seed));
        TrainingCurves curves = trainer.train(network, train, holdout, epoch -> {
            progress.printf(
                    Locale.ROOT,
                    "epoch %d/%d: train loss %.3f accuracy %.3f, holdout loss %.3f accuracy %.3f (%.1f s)%n",
                    epoch.epoch(),
                    EPOCHS,
                    epoch.trainLoss(),
                    epoch.trainAccuracy(),
                    epoch.validationLoss(),
                    epoch.validationAccuracy(),
                    epoch.duration().toMillis() / 1000.0);
            progress.flush();
        });
        EvaluationResult onHoldout = trainer.evaluate(network, holdout);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        progress.printf(
                Locale.ROOT,
                "trained in %.1f s: holdout accuracy %.3f%n",
                took.toMillis() / 1000.0,
                onHoldout.accuracy());
        progress.flush();

        Map<String, Double> metrics = Map.of(
                HOLDOUT_ACCURACY, onHoldout.accuracy(),
                HOLDOUT_LOSS, onHoldout.loss(),
                TRAIN_ACCURACY, curves.trainAccuracy().get(curves.epochs() - 1));
        BundleManifest manifest = BundleManifest.create(
                modelName, version, classes, BASE_MODEL_ID, PREPROCESSING, Instant.now(), metrics, null);
        return ModelBundle.of(manifest, network).withCurves(curves);
    }

    /**
     * Writes the 20 shipped test images into a directory, replacing files of the same name.
     *
     * @param targetDir the directory; created if missing
     * @return the written files, in the order of {@link #demoImages()}
     * @throws UncheckedIOException if a file can't be written
     * @throws IllegalStateException if the shipped assets are missing from the class path
     */
    public static List<Path> extractDemoImages(Path targetDir) {
        Objects.requireNonNull(targetDir, "targetDir");
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(targetDir);
            for (DemoImage image : demoImages()) {
                Path target = targetDir.resolve(image.fileName());
                try (InputStream in = resource(IMAGES_DIRECTORY + image.fileName())) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
                written.add(target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the demo images to " + targetDir, e);
        }
        return written;
    }

    /**
     * Lists the shipped test images with their true classes.
     *
     * @return 20 images, ordered by class, PNG before JPEG
     */
    public static List<DemoImage> demoImages() {
        List<DemoImage> images = new ArrayList<>();
        for (String line : resourceLines(IMAGES_DIRECTORY + IMAGE_INDEX_FILE)) {
            String[] fields = line.split(INDEX_SEPARATOR, -1);
            if (fields.length != 2) {
                throw new IllegalStateException("demo image index line '" + line + "' is not fileName<TAB>label");
            }
            images.add(new DemoImage(fields[0], fields[1]));
        }
        return List.copyOf(images);
    }

    /**
     * Returns the Fashion-MNIST class names in label order.
     *
     * @return 10 names, from "T-shirt/top" (label 0) to "Ankle boot" (label 9)
     */
    public static List<String> classes() {
        return resourceLines(CLASSES_FILE);
    }

    /**
     * Reads the shipped training subset.
     *
     * @return {@value #SHIPPED_PER_CLASS} images per class, 28 x 28 grey
     * @throws IllegalStateException if the shipped assets are missing or unreadable
     */
    public static LabeledImages trainingSubset() {
        try (InputStream images = resource(TRAIN_IMAGES_FILE);
                InputStream labels = resource(TRAIN_LABELS_FILE)) {
            return IdxImages.read(images, labels);
        } catch (IOException e) {
            throw new IllegalStateException("the shipped demo training data is unreadable; the jar is damaged", e);
        }
    }

    /**
     * Splits off the last {@code perClass} images of every class as a holdout.
     *
     * @return {@code [rest, holdout]}, both in original order
     */
    static LabeledImages[] splitHoldout(LabeledImages data, int perClass) {
        int[] remaining = data.countsPerClass();
        for (int c = 0; c < remaining.length; c++) {
            remaining[c] -= perClass;
        }
        int[] trainIndices = new int[data.count()];
        int[] holdoutIndices = new int[data.count()];
        int trainCount = 0;
        int holdoutCount = 0;
        for (int i = 0; i < data.count(); i++) {
            int label = data.label(i);
            if (remaining[label] > 0) {
                remaining[label]--;
                trainIndices[trainCount++] = i;
            } else {
                holdoutIndices[holdoutCount++] = i;
            }
        }
        return new LabeledImages[] {
            data.subset(Arrays.copyOf(trainIndices, trainCount)),
            data.subset(Arrays.copyOf(holdoutIndices, holdoutCount))
        };
    }

    private static List<String> resourceLines(String name) {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(resource(name), StandardCharsets.UTF_8))) {
            return reader.lines().filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read demo resource " + name, e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = DemoModel.class.getResourceAsStream(RESOURCE_DIRECTORY + name);
        if (in == null) {
            throw new IllegalStateException("demo resource " + RESOURCE_DIRECTORY + name
                    + " is missing from the class path; the imgstream-model jar is incomplete");
        }
        return in;
    }
}
