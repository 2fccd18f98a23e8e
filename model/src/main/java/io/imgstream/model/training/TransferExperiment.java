package io.imgstream.model.training;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.features.BottleneckFeatures;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.head.HeadPooling;
import io.imgstream.model.head.HeadTrainer;
import io.imgstream.model.head.HeadTrainingConfig;
import io.imgstream.model.head.HeadTrainingResult;
import io.imgstream.model.head.LabeledFeatures;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Real transfer learning on real data, small enough for a test run: pretrain a {@link SmallCnn} on
 * Fashion-MNIST classes {@value #SOURCE_FIRST}–{@value #SOURCE_LAST} (T-shirt, trouser, pullover,
 * dress, coat), cut its convolutional layers off as a base ({@link TruncatedBase} at {@value
 * SmallCnn#POOL2}), and train only a head (global average pooling by default) on the bottleneck features of classes
 * {@value
 * #TARGET_FIRST}–{@value #TARGET_LAST} (sandal, shirt, sneaker, bag, ankle boot) from a few labelled
 * images per class. The same head, trained the same way on a randomly initialised base of the same
 * architecture, is the baseline; both are measured on held-out images of the official test set.
 *
 * <p>Takes about 20–40 seconds on two cores with the defaults. Reads the four idx files of
 * Fashion-MNIST (Debian {@code dataset-fashion-mnist} installs them in {@value #DEBIAN_DIRECTORY}).
 *
 * <p>Stateless; each run seeds its own random numbers on the calling thread, so the same config
 * gives the same numbers on one machine.
 */
public final class TransferExperiment {

    /** Where Debian's {@code dataset-fashion-mnist} installs the data. */
    public static final String DEBIAN_DIRECTORY = "/usr/share/datasets/fashion-mnist";
    /** Training images file name. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    /** Training labels file name. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    /** Test images file name. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    /** Test labels file name. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    /** First class the base is pretrained on. */
    public static final int SOURCE_FIRST = 0;
    /** Last class the base is pretrained on. */
    public static final int SOURCE_LAST = 4;
    /** First class the head learns. */
    public static final int TARGET_FIRST = 5;
    /** Last class the head learns. */
    public static final int TARGET_LAST = 9;
    /** Name of the transferred base in its id. */
    public static final String TRANSFERRED_BASE_NAME = "small-cnn-fmnist-0-4";
    /** Name of the random base in its id. */
    public static final String RANDOM_BASE_NAME = "small-cnn-random";

    /** How images are fed to both bases. */
    public static final Preprocessing PREPROCESSING =
            new Preprocessing(28, 28, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);

    private static final int SIDE = 28;
    private static final int SOURCE_CLASSES = SOURCE_LAST - SOURCE_FIRST + 1;
    private static final int TARGET_CLASSES = TARGET_LAST - TARGET_FIRST + 1;

    /**
     * Sizes and settings of the experiment.
     *
     * <p>The constructor throws {@code IllegalArgumentException} if a count is not positive or
     * the head validation split leaves no training images.
     *
     * @param pretrainPerClass        source images per class for pretraining
     * @param pretrainValidationPerClass source images per class for pretraining validation
     * @param pretrainEpochs          pretraining epochs
     * @param pretrainBatchSize       pretraining minibatch
     * @param labeledPerClass         labelled target images per class for the head, validation included
     * @param headValidationPerClass  of those, how many per class validate the head (early stopping)
     * @param testPerClass            held-out target test images per class, from the official test set
     * @param network                 the small CNN's architecture and pretraining optimiser
     * @param head                    the head's architecture and optimiser
     * @param headTraining            how the head is trained
     * @param seed                    seed of both networks' initial weights and of pretraining
     */
    public record Config(
            int pretrainPerClass,
            int pretrainValidationPerClass,
            int pretrainEpochs,
            int pretrainBatchSize,
            int labeledPerClass,
            int headValidationPerClass,
            int testPerClass,
            SmallCnn.Config network,
            HeadConfig head,
            HeadTrainingConfig headTraining,
            long seed) {

        /** Default source images per class. */
        public static final int DEFAULT_PRETRAIN_PER_CLASS = 600;
        /** Default source validation images per class. */
        public static final int DEFAULT_PRETRAIN_VALIDATION_PER_CLASS = 50;
        /** Default pretraining epochs. */
        public static final int DEFAULT_PRETRAIN_EPOCHS = 3;
        /** Default pretraining minibatch. */
        public static final int DEFAULT_PRETRAIN_BATCH_SIZE = 32;
        /** Default labelled target images per class: the "at most 100". */
        public static final int DEFAULT_LABELED_PER_CLASS = 100;
        /** Default head validation images per class, taken from the labelled ones. */
        public static final int DEFAULT_HEAD_VALIDATION_PER_CLASS = 20;
        /** Default test images per class (5 classes: 1,500 images). */
        public static final int DEFAULT_TEST_PER_CLASS = 300;
        /** Default network: SmallCnn with 8 and 16 filters, half the cost of its defaults, as the demo model. */
        public static final SmallCnn.Config DEFAULT_NETWORK = new SmallCnn.Config(8, 3, 16, 3, 2, 64, 0.5, 2e-3, 1e-4);
        /**
         * Default head: global average pooling, 256 units, dropout 0.5, RMSprop at 1e-2. Average pooling
         * keeps only what each filter detects, not where, so the head measures the filters themselves;
         * flattened 16 x 7 x 7 maps of a 28 x 28 image are nearly the image, and a head on them does about
         * as well over random filters as over pretrained ones (measured: 0.934 vs 0.937). The seeds' 2e-5
         * suits VGG16's 8,192 large-valued features and would need hundreds of epochs on these 16.
         */
        public static final HeadConfig DEFAULT_HEAD =
                HeadConfig.defaults().withPooling(HeadPooling.GLOBAL_AVERAGE).withLearningRate(1e-2);
        /** Default head training: at most 60 epochs, early stopping after 5 without improvement. */
        public static final HeadTrainingConfig DEFAULT_HEAD_TRAINING =
                HeadTrainingConfig.defaults().withMaxEpochs(60);
        /** Default seed. */
        public static final long DEFAULT_SEED = 7;

        public Config {
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(headTraining, "headTraining");
            if (pretrainPerClass <= 0
                    || pretrainValidationPerClass <= 0
                    || pretrainEpochs <= 0
                    || pretrainBatchSize <= 0
                    || headValidationPerClass <= 0
                    || testPerClass <= 0
                    || labeledPerClass <= headValidationPerClass) {
                throw new IllegalArgumentException(
                        "counts must be positive and leave labelled images for training: " + this);
            }
        }

        /**
         * Returns the default experiment.
         *
         * @return the defaults
         */
        public static Config defaults() {
            return new Config(
                    DEFAULT_PRETRAIN_PER_CLASS,
                    DEFAULT_PRETRAIN_VALIDATION_PER_CLASS,
                    DEFAULT_PRETRAIN_EPOCHS,
                    DEFAULT_PRETRAIN_BATCH_SIZE,
                    DEFAULT_LABELED_PER_CLASS,
                    DEFAULT_HEAD_VALIDATION_PER_CLASS,
                    DEFAULT_TEST_PER_CLASS,
                    DEFAULT_NETWORK,
                    DEFAULT_HEAD,
                    DEFAULT_HEAD_TRAINING,
                    DEFAULT_SEED);
        }
    }

    /**
     * The outcome.
     *
     * @param transferredAccuracy  test accuracy of the head on the pretrained base, in {@code [0, 1]}
     * @param randomAccuracy       test accuracy of the head on the random base, in {@code [0, 1]}
     * @param pretrainAccuracy     the pretrained network's validation accuracy on the source classes
     * @param headTrainImages      labelled target images the heads were trained on
     * @param headValidationImages labelled target images the heads were validated on
     * @param testImages           held-out target test images
     * @param transferredBase      id of the pretrained base, {@code name@sha256}
     * @param pretrainTime         wall time of pretraining
     * @param featureTime          wall time of extracting all target features (labelled and test) with the pretrained
     *                             base
     * @param featureImages        images those features were extracted from
     * @param headTime             wall time of training the head on the pretrained base's features
     * @param headEpochs           epochs that head trained before early stopping or the bound
     */
    public record Result(
            double transferredAccuracy,
            double randomAccuracy,
            double pretrainAccuracy,
            int headTrainImages,
            int headValidationImages,
            int testImages,
            String transferredBase,
            Duration pretrainTime,
            Duration featureTime,
            int featureImages,
            Duration headTime,
            int headEpochs) {

        /**
         * Returns how many percentage points the transferred base wins by.
         *
         * @return {@code 100 * (transferredAccuracy - randomAccuracy)}
         */
        public double marginPoints() {
            return 100 * (transferredAccuracy - randomAccuracy);
        }
    }

    private TransferExperiment() {}

    /**
     * Runs the experiment.
     *
     * @param fashionMnistDirectory directory holding the four Fashion-MNIST idx files
     * @param config                sizes and settings
     * @param progress              receives one line per step; flushed after each line, not closed
     * @return the accuracies and timings
     * @throws IOException if the data can't be read
     */
    public static Result run(Path fashionMnistDirectory, Config config, PrintWriter progress) throws IOException {
        Objects.requireNonNull(fashionMnistDirectory, "fashionMnistDirectory");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(progress, "progress");
        LabeledImages train = IdxImages.read(
                fashionMnistDirectory.resolve(TRAIN_IMAGES), fashionMnistDirectory.resolve(TRAIN_LABELS));
        LabeledImages test =
                IdxImages.read(fashionMnistDirectory.resolve(TEST_IMAGES), fashionMnistDirectory.resolve(TEST_LABELS));

        LabeledImages sourceTrain = select(train, SOURCE_FIRST, SOURCE_LAST, 0, config.pretrainPerClass());
        LabeledImages sourceValidation = select(
                train, SOURCE_FIRST, SOURCE_LAST, config.pretrainPerClass(), config.pretrainValidationPerClass());
        int headTrainPerClass = config.labeledPerClass() - config.headValidationPerClass();
        LabeledImages headTrain = select(train, TARGET_FIRST, TARGET_LAST, 0, headTrainPerClass);
        LabeledImages headValidation =
                select(train, TARGET_FIRST, TARGET_LAST, headTrainPerClass, config.headValidationPerClass());
        LabeledImages targetTest = select(test, TARGET_FIRST, TARGET_LAST, 0, config.testPerClass());
        say(
                progress,
                "pretraining on %d images of classes %d-%d, %d epochs",
                sourceTrain.count(),
                SOURCE_FIRST,
                SOURCE_LAST,
                config.pretrainEpochs());

        long started = System.nanoTime();
        ComputationGraph pretrained = SmallCnn.build(1, SIDE, SIDE, SOURCE_CLASSES, config.seed(), config.network());
        TrainingCurves pretraining = new ClassifierTrainer(
                        PREPROCESSING,
                        new TrainingConfig(config.pretrainEpochs(), config.pretrainBatchSize(), config.seed()))
                .train(
                        pretrained,
                        sourceTrain,
                        sourceValidation,
                        epoch -> say(
                                progress,
                                "pretraining epoch %d: validation accuracy %.3f",
                                epoch.epoch(),
                                epoch.validationAccuracy()));
        Duration pretrainTime = Duration.ofNanos(System.nanoTime() - started);
        double pretrainAccuracy = pretraining.validationAccuracy().get(pretraining.epochs() - 1);

        TruncatedBase transferred = TruncatedBase.of(pretrained, SmallCnn.POOL2, TRANSFERRED_BASE_NAME, PREPROCESSING);
        // A different seed from the pretrained network's initial weights, so the baseline is not its starting point.
        TruncatedBase random = TruncatedBase.of(
                SmallCnn.build(1, SIDE, SIDE, SOURCE_CLASSES, config.seed() + 1, config.network()),
                SmallCnn.POOL2,
                RANDOM_BASE_NAME,
                PREPROCESSING);

        HeadRun onTransferred = trainHead(transferred, headTrain, headValidation, targetTest, config, progress);
        Duration featureTime = onTransferred.featureTime;
        HeadRun onRandom = trainHead(random, headTrain, headValidation, targetTest, config, progress);
        say(
                progress,
                "test accuracy on %d images of classes %d-%d: transferred base %.3f, random base %.3f",
                targetTest.count(),
                TARGET_FIRST,
                TARGET_LAST,
                onTransferred.testAccuracy,
                onRandom.testAccuracy);
        return new Result(
                onTransferred.testAccuracy,
                onRandom.testAccuracy,
                pretrainAccuracy,
                headTrain.count(),
                headValidation.count(),
                targetTest.count(),
                transferred.id().toString(),
                pretrainTime,
                featureTime,
                headTrain.count() + headValidation.count() + targetTest.count(),
                onTransferred.headTime,
                onTransferred.result.curves().epochs());
    }

    private static HeadRun trainHead(
            BaseNetwork base,
            LabeledImages train,
            LabeledImages validation,
            LabeledImages test,
            Config config,
            PrintWriter progress) {
        long started = System.nanoTime();
        LabeledFeatures trainFeatures;
        LabeledFeatures validationFeatures;
        LabeledFeatures testFeatures;
        try (FeatureExtractor extractor = new FeatureExtractor(base)) {
            trainFeatures = features(extractor, train);
            validationFeatures = features(extractor, validation);
            testFeatures = features(extractor, test);
        }
        Duration featureTime = Duration.ofNanos(System.nanoTime() - started);
        started = System.nanoTime();
        ComputationGraph head = HeadBuilder.build(base.featureShape(), TARGET_CLASSES, config.head(), config.seed());
        HeadTrainer trainer = new HeadTrainer(config.headTraining());
        HeadTrainingResult result = trainer.train(head, trainFeatures, validationFeatures, epoch -> {});
        Duration headTime = Duration.ofNanos(System.nanoTime() - started);
        double accuracy = trainer.evaluate(head, testFeatures).accuracy();
        say(
                progress,
                "head on %s: %d epochs (best %d), test accuracy %.3f",
                base.id().name(),
                result.curves().epochs(),
                result.bestEpoch(),
                accuracy);
        return new HeadRun(result, accuracy, featureTime, headTime);
    }

    private static LabeledFeatures features(FeatureExtractor extractor, LabeledImages data) {
        List<BufferedImage> images = new ArrayList<>(data.count());
        for (int i = 0; i < data.count(); i++) {
            images.add(data.image(i));
        }
        List<BottleneckFeatures> features = extractor.extract(images);
        return LabeledFeatures.of(features, data.labels());
    }

    /**
     * Images of classes {@code first..last}, relabelled from 0: per class, skip {@code skip} and keep
     * the next {@code perClass}, in file order, so every selection is fixed and disjoint from one
     * with other skip ranges.
     */
    private static LabeledImages select(LabeledImages data, int first, int last, int skip, int perClass) {
        int[] seen = new int[last - first + 1];
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < data.count(); i++) {
            int label = data.label(i);
            if (label >= first && label <= last) {
                int position = seen[label - first]++;
                if (position >= skip && position < skip + perClass) {
                    indices.add(i);
                }
            }
        }
        LabeledImages selected =
                data.subset(indices.stream().mapToInt(Integer::intValue).toArray());
        int[] relabelled = new int[selected.count()];
        for (int i = 0; i < relabelled.length; i++) {
            relabelled[i] = selected.label(i) - first;
        }
        return new LabeledImages(selected.count(), selected.height(), selected.width(), selected.pixels(), relabelled);
    }

    private static void say(PrintWriter progress, String format, Object... arguments) {
        progress.printf(Locale.ROOT, format + "%n", arguments);
        progress.flush();
    }

    private record HeadRun(HeadTrainingResult result, double testAccuracy, Duration featureTime, Duration headTime) {}
}
