package io.imgstream.training.fit;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.ModelStore;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.evaluation.ClassificationReport;
import io.imgstream.model.evaluation.EpochMetrics;
import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.explain.GradCam;
import io.imgstream.model.explain.Heatmap;
import io.imgstream.model.explain.HeatmapOverlay;
import io.imgstream.model.features.BottleneckFeatures;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.features.LoadAhead;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.head.ClassWeighting;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.head.HeadKind;
import io.imgstream.model.head.HeadTrainer;
import io.imgstream.model.head.HeadTrainingConfig;
import io.imgstream.model.head.HeadTrainingResult;
import io.imgstream.model.head.LabeledFeatures;
import io.imgstream.model.head.LinearHeadTrainer;
import io.imgstream.model.head.LinearHeadTrainingConfig;
import io.imgstream.model.head.TrainedHead;
import io.imgstream.model.inference.BundleScorer;
import io.imgstream.model.training.ConcatenatedBase;
import io.imgstream.model.training.FineTuneCheckpoint;
import io.imgstream.model.training.FineTuneConfig;
import io.imgstream.model.training.FineTuneResult;
import io.imgstream.model.training.FineTuner;
import io.imgstream.model.training.ImageSet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The seeds' recipe, once, on a folder-per-class tree: bottleneck features computed once and cached on disk; a
 * Dense(256)-Dropout(0.5) head trained with RMSprop, balanced class weights, early stopping and learning-rate
 * reduction on plateau, checkpointed every epoch (or, with {@link HeadKind#LINEAR}, a linear head whose L2 strength
 * the validation images choose, see {@link LinearHeadTrainer}); then, if asked, the base's last layers fine-tuned
 * with the head (SGD 1e-4, momentum 0.9, seeded augmentation); the result evaluated on the test images (or, without
 * any, the validation images) exactly as it will be served, from its bundle, and saved to the model store.
 *
 * <p>Not thread-safe; one fit at a time per work directory.
 */
public final class Fit {

    /** The bundle metric holding the accuracy {@link Outcome#report()} measured. */
    public static final String ACCURACY_METRIC = "fitAccuracy";

    private static final int SCORING_BATCH = 16;

    private static final String CHECKPOINTS = "checkpoints";
    private static final String FINE_TUNE_CHECKPOINTS = "fine-tune";
    /** Wrong predictions explained with a Grad-CAM overlay. */
    public static final int EXPLAINED_MISTAKES = 6;

    /** Why several concatenated bases are not fine-tuned. */
    public static final String FINE_TUNING_SEVERAL_BASES = "fine-tuning is for one base: the layers it trains are "
            + "counted from the end of one chain, and concatenated bases are several; fit them without --fine-tune";

    private final BaseNetwork base;
    private final FitSettings settings;
    private final Consumer<String> log;
    private final ImageFiles imageFiles;

    /**
     * @param base     the base; its graph is only read (fine-tuning trains a copy)
     * @param settings how to train
     * @param log      one line per stage and epoch
     */
    public Fit(BaseNetwork base, FitSettings settings, Consumer<String> log) {
        this.base = Objects.requireNonNull(base, "base");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.log = Objects.requireNonNull(log, "log");
        this.imageFiles = new ImageFiles(base.preprocessing());
        if (settings.fineTune() && base instanceof ConcatenatedBase) {
            throw new IllegalArgumentException(FINE_TUNING_SEVERAL_BASES);
        }
    }

    /**
     * What a fit made.
     *
     * @param bundle         the stored bundle
     * @param manifest       its manifest
     * @param report         the bundle's predictions on the evaluation images
     * @param evaluatedOn    {@code test} or {@code validation}
     * @param headCurves     the head's training curves
     * @param fineTuneCurves fine-tuning's curves, if it ran
     * @param featuresCached how many images' features came from the cache
     * @param featureTime    time spent computing features (decode included)
     * @param trainTime      time spent training head and fine-tuning
     * @param mistakes       evaluation images predicted wrongly, with their true and predicted class
     */
    public record Outcome(
            StoredBundle bundle,
            BundleManifest manifest,
            ClassificationReport report,
            String evaluatedOn,
            TrainingCurves headCurves,
            Optional<TrainingCurves> fineTuneCurves,
            int featuresCached,
            Duration featureTime,
            Duration trainTime,
            List<Mistake> mistakes) {}

    /**
     * An evaluation image predicted wrongly.
     *
     * @param file      the image
     * @param truth     its class
     * @param predicted the class predicted
     * @param overlay   a Grad-CAM overlay of what the prediction looked at, for the first few mistakes
     */
    public record Mistake(Path file, String truth, String predicted, Optional<Path> overlay) {}

    /**
     * Runs the recipe and saves the bundle as the next version of the model.
     *
     * @param data     the images
     * @param store    where the bundle goes
     * @param overlays where Grad-CAM overlays of the first {@value #EXPLAINED_MISTAKES} mistakes are written
     * @param progress called with (images done, images in all) while features are computed
     * @throws IOException              if an image, the cache or a checkpoint can't be read or written
     * @throws IllegalArgumentException if an image is not a decodable image
     */
    public Outcome run(FolderDataset data, ModelStore store, Path overlays, BiConsumer<Integer, Integer> progress)
            throws IOException {
        List<String> classes = data.classes();
        FolderDataset.Split evaluation = data.test().orElse(data.validation());
        String evaluatedOn = data.test().isPresent() ? "test" : "validation";
        log.accept(String.format(
                Locale.ROOT,
                "%d classes; %d training, %d validation%s images (the bundle is evaluated on the %s images); base %s",
                classes.size(),
                data.train().size(),
                data.validation().size(),
                data.test().map(test -> ", " + test.size() + " test").orElse(""),
                evaluatedOn,
                base.modelId()));

        long featuresStarted = System.nanoTime();
        FeatureFiles cache = new FeatureFiles(settings.workDir().resolve("features"), base.id(), imageFiles.target());
        int total = data.train().size() + data.validation().size();
        int[] cached = {0};
        LabeledFeatures train;
        LabeledFeatures validation;
        try (FeatureExtractor extractor = new FeatureExtractor(base)) {
            train = features(data.train(), extractor, cache, cached, progress, 0, total);
            validation = features(
                    data.validation(),
                    extractor,
                    cache,
                    cached,
                    progress,
                    data.train().size(),
                    total);
        }
        Duration featureTime = Duration.ofNanos(System.nanoTime() - featuresStarted);
        log.accept(String.format(
                Locale.ROOT,
                "features of %d images in %.1f s (%d from the cache)",
                total,
                featureTime.toNanos() / 1e9,
                cached[0]));

        long trainStarted = System.nanoTime();
        TrainedHead head = settings.head() == HeadKind.LINEAR
                ? linearHead(classes.size(), train, validation, data.test().isPresent() && !settings.fineTune())
                : denseHead(classes.size(), train, validation);
        ComputationGraph network;
        Optional<TrainingCurves> fineTuneCurves = Optional.empty();
        if (settings.fineTune()) {
            FineTuner tuner = new FineTuner(fineTuneConfig());
            ComputationGraph assembled = tuner.assemble(base, head.head(), unfreeze());
            log.accept("fine-tuning from " + unfreeze() + " for " + settings.fineTuneEpochs() + " epochs, augmentation "
                    + settings.augmentation().name().toLowerCase(Locale.ROOT));
            Path fineTuneCheckpoints = settings.workDir().resolve(CHECKPOINTS).resolve(FINE_TUNE_CHECKPOINTS);
            if (!settings.resume()) {
                FineTuner.discardCheckpoint(fineTuneCheckpoints);
            } else if (FineTuneCheckpoint.existsIn(fineTuneCheckpoints)) {
                log.accept("continuing the fine-tuning from its checkpoint in " + fineTuneCheckpoints);
            }
            FineTuneResult tuned = tuner.fineTune(
                    assembled,
                    base.preprocessing(),
                    images(data.train()),
                    images(data.validation()),
                    fineTuneCheckpoints,
                    epoch -> log.accept(epoch.summary()));
            network = tuned.network();
            fineTuneCurves = Optional.of(tuned.curves());
        } else {
            network = new FineTuner(FineTuneConfig.defaults()).assemble(base, head.head(), FineTuner.Unfreeze.none());
        }
        Duration trainTime = Duration.ofNanos(System.nanoTime() - trainStarted);

        int version = store.list().stream()
                        .filter(b -> b.modelName().equals(settings.modelName()))
                        .mapToInt(StoredBundle::version)
                        .max()
                        .orElse(0)
                + 1;
        BundleManifest manifest = BundleManifest.create(
                settings.modelName(),
                version,
                classes,
                base.modelId(),
                base.preprocessing(),
                Instant.now(),
                Map.of(),
                null);
        // Fine-tuning changed the base's weights: its features are no longer the base's, so the bundle names no
        // bottleneck and its scorers publish none for the worker to mix with the base's own.
        if (!settings.fineTune()) {
            manifest = manifest.withBottleneckLayer(FineTuner.featuresVertex(base));
        }
        List<Mistake> mistakes = new ArrayList<>();
        List<float[]> probabilities = new ArrayList<>();
        ClassificationReport report =
                evaluate(ModelBundle.of(manifest, network), classes, evaluation, overlays, mistakes, probabilities);
        log.accept(String.format(
                Locale.ROOT, "%s accuracy %.3f on %d images", evaluatedOn, report.accuracy(), report.count()));
        Map<String, Double> metrics = new HashMap<>();
        metrics.put(ACCURACY_METRIC, report.accuracy());
        metrics.put(evaluatedOn + "Size", (double) report.count());
        metrics.put("trainSize", (double) data.train().size());
        BundleManifest withMetrics =
                manifest.withMetrics(metrics).withHoldoutProfile(PredictionProfile.of(classes, probabilities));
        ModelBundle bundle = ModelBundle.of(withMetrics, network).withCurves(fineTuneCurves.orElse(head.curves()));
        StoredBundle stored = store.save(bundle);
        return new Outcome(
                stored,
                withMetrics,
                report,
                evaluatedOn,
                head.curves(),
                fineTuneCurves,
                cached[0],
                featureTime,
                trainTime,
                List.copyOf(mistakes));
    }

    private TrainedHead denseHead(int classes, LabeledFeatures train, LabeledFeatures validation) throws IOException {
        HeadTrainer trainer = new HeadTrainer(headConfig());
        Path checkpoints = settings.workDir().resolve(CHECKPOINTS);
        Consumer<EpochMetrics> onEpoch = epoch -> log.accept(epoch.summary());
        HeadTrainingResult head = settings.resume() && Files.isRegularFile(checkpoints.resolve(HeadTrainer.STATE_FILE))
                ? trainer.resume(checkpoints, train, validation, onEpoch)
                : trainer.train(
                        HeadBuilder.build(
                                base.featureShape(),
                                classes,
                                HeadConfig.forFeatures(base.featureShape(), settings.normalized()),
                                settings.seed()),
                        train,
                        validation,
                        checkpoints,
                        onEpoch);
        log.accept(String.format(
                Locale.ROOT,
                "head: best epoch %d of %d, validation loss %.4f%s",
                head.bestEpoch(),
                head.curves().epochs(),
                head.bestValidationLoss(),
                head.stoppedEarly() ? " (stopped early)" : ""));
        return head;
    }

    // Seconds of full-batch steps on cached features: nothing to checkpoint, so --resume simply fits it again. The
    // validation images join the last fit only where neither the report (no test split) nor fine-tuning reads them.
    private TrainedHead linearHead(
            int classes, LabeledFeatures train, LabeledFeatures validation, boolean fitOnValidation) {
        HeadConfig config = HeadConfig.linearFor(base.featureShape());
        log.accept("linear head over "
                + config.pooling().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + " pooling; L2 strength chosen on the validation images");
        LinearHeadTrainingConfig training = LinearHeadTrainingConfig.defaults(settings.seed(), ClassWeighting.BALANCED);
        LinearHeadTrainer.Result head = new LinearHeadTrainer(
                        fitOnValidation ? training : training.withoutFitOnValidation())
                .train(
                        HeadBuilder.build(base.featureShape(), classes, config, settings.seed()),
                        train,
                        validation,
                        log);
        return head;
    }

    private HeadTrainingConfig headConfig() {
        HeadTrainingConfig defaults = HeadTrainingConfig.defaults();
        return new HeadTrainingConfig(
                settings.headEpochs(),
                defaults.batchSize(),
                settings.seed(),
                defaults.earlyStoppingPatience(),
                defaults.minImprovement(),
                defaults.plateauPatience(),
                defaults.plateauFactor(),
                defaults.minLearningRate(),
                // Few labels per class are rarely balanced; weighting keeps a small class from being ignored.
                ClassWeighting.BALANCED,
                true);
    }

    private FineTuneConfig fineTuneConfig() {
        FineTuneConfig defaults = FineTuneConfig.defaults();
        return new FineTuneConfig(
                defaults.learningRate(),
                defaults.momentum(),
                settings.fineTuneEpochs(),
                defaults.batchSize(),
                settings.seed(),
                settings.augmentation().config(),
                defaults.balanceClasses());
    }

    private FineTuner.Unfreeze unfreeze() {
        return FineTuner.Unfreeze.lastBlockOf(base, settings.unfreezeLayers());
    }

    private LabeledFeatures features(
            FolderDataset.Split split,
            FeatureExtractor extractor,
            FeatureFiles cache,
            int[] cached,
            BiConsumer<Integer, Integer> progress,
            int offset,
            int total)
            throws IOException {
        List<Path> files = split.files();
        BottleneckFeatures[] features = new BottleneckFeatures[files.size()];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Optional<BottleneckFeatures> hit = cache.read(files.get(i));
            if (hit.isPresent()) {
                features[i] = hit.get();
                cached[0]++;
            } else {
                missing.add(i);
            }
        }
        int[] done = {files.size() - missing.size()};
        progress.accept(offset + done[0], total);
        new LoadAhead(extractor).run(missing, i -> Optional.of(decode(files.get(i))), (i, computed) -> {
            cache.write(files.get(i), computed);
            features[i] = computed;
            progress.accept(offset + ++done[0], total);
        });
        return LabeledFeatures.of(Arrays.asList(features), split.labels());
    }

    private ImageSet images(FolderDataset.Split split) throws IOException {
        List<BufferedImage> images = new ArrayList<>();
        for (Path file : split.files()) {
            images.add(decode(file));
        }
        return new ImageSet(images, split.labels());
    }

    private BufferedImage decode(Path file) throws IOException {
        return imageFiles.decode(file);
    }

    /** Scores the split; each image's probabilities go to {@code probabilities}, wrong ones to {@code mistakes}. */
    private ClassificationReport evaluate(
            ModelBundle bundle,
            List<String> classes,
            FolderDataset.Split split,
            Path overlays,
            List<Mistake> mistakes,
            List<float[]> probabilities)
            throws IOException {
        int[] predicted = new int[split.size()];
        try (BundleScorer scorer = new BundleScorer(bundle)) {
            for (int from = 0; from < split.size(); from += SCORING_BATCH) {
                int to = Math.min(split.size(), from + SCORING_BATCH);
                List<BufferedImage> images = new ArrayList<>();
                for (Path file : split.files().subList(from, to)) {
                    images.add(decode(file));
                }
                List<float[]> scores = scorer.score(images);
                probabilities.addAll(scores);
                for (int i = 0; i < scores.size(); i++) {
                    predicted[from + i] = ClassOutputs.argMax(scores.get(i));
                }
            }
        }
        List<String> layers = GradCam.defaultLayers(
                bundle.network(), Optional.ofNullable(bundle.manifest().bottleneckLayer()));
        for (int i = 0; i < split.size(); i++) {
            if (predicted[i] != split.labels()[i]) {
                Optional<Path> overlay = mistakes.size() < EXPLAINED_MISTAKES && !layers.isEmpty()
                        ? explain(bundle, split.files().get(i), layers, predicted[i], overlays, mistakes.size())
                        : Optional.empty();
                mistakes.add(new Mistake(
                        split.files().get(i), classes.get(split.labels()[i]), classes.get(predicted[i]), overlay));
            }
        }
        return ClassificationReport.of(classes, split.labels(), predicted);
    }

    // A report without an overlay is still a report: a network Grad-CAM can't follow gets a log line instead.
    private Optional<Path> explain(
            ModelBundle bundle, Path file, List<String> layers, int predicted, Path overlays, int index)
            throws IOException {
        BufferedImage image = decode(file);
        Path target = overlays.resolve(String.format(Locale.ROOT, "mistake-%d.png", index + 1));
        try {
            Heatmap heatmap =
                    new GradCam(bundle.manifest().preprocessing()).explain(bundle.network(), image, layers, predicted);
            Files.createDirectories(overlays);
            HeatmapOverlay.writePng(image, heatmap, target);
            return Optional.of(target);
        } catch (RuntimeException e) {
            log.accept("no Grad-CAM overlay for " + file.getFileName() + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
