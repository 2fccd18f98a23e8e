package io.imgstream.training.refit;

import io.imgstream.control.ModelAnnouncements;
import io.imgstream.control.VersionAnnouncer;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.Lineage;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.evaluation.ClassificationReport;
import io.imgstream.model.evaluation.EpochMetrics;
import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.features.BottleneckFeatures;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.head.ClassificationTally;
import io.imgstream.model.head.ExampleOrder;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.head.HeadTrainer;
import io.imgstream.model.head.HeadTrainingConfig;
import io.imgstream.model.head.HeadTrainingResult;
import io.imgstream.model.head.HeadWarmStart;
import io.imgstream.model.head.LabeledFeatures;
import io.imgstream.model.head.LinearHeadTrainer;
import io.imgstream.model.head.LinearHeadTrainingConfig;
import io.imgstream.model.head.TrainedHead;
import io.imgstream.model.training.FineTuneConfig;
import io.imgstream.model.training.FineTuner;
import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.training.features.FeatureBackfill;
import io.imgstream.training.labels.LabeledExample;
import io.imgstream.training.refit.HoldoutSplit.Side;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One refit, from a snapshot of the labeled set to an announced version: compute missing features, split by the
 * fixed hash, warm-start a head from the current version (growing it for new classes), train it with class
 * balancing, evaluate it and the current version on the same holdout, and save and announce the candidate as
 * published (it beat the current version by the margin, or there is none) or rejected.
 *
 * <p>The bundle is written to the store atomically before anything is announced, so a crash at any point leaves
 * either no trace, an unannounced bundle (its version number is skipped), or an announced, complete version.
 *
 * <p>Not thread-safe; one refit runs at a time.
 */
public final class Refitter {

    /** Manifest metric: candidate's holdout accuracy (what the scorers' tooling reads). */
    public static final String HOLDOUT_ACCURACY = ModelAnnouncements.HOLDOUT_ACCURACY;
    /** Manifest metric: mean cross-entropy on the holdout. */
    public static final String HOLDOUT_LOSS = "holdoutLoss";
    /** Manifest metric: images in the holdout. */
    public static final String HOLDOUT_SIZE = "holdoutSize";
    /** Manifest metric: images trained on. */
    public static final String TRAIN_SIZE = "trainSize";
    /**
     * Manifest metric: usable images of the labeled set at the refit; the next worker start counts new labels from it.
     */
    public static final String LABELED_IMAGES = "labeledImages";
    /** Manifest metric: the current version's accuracy on the same holdout. */
    public static final String PARENT_HOLDOUT_ACCURACY = "parentHoldoutAccuracy";
    /** Manifest metric: images the base's last layers were fine-tuned on; absent when only the head was refit. */
    public static final String FINE_TUNE_IMAGES = "fineTuneImages";

    private final String modelName;
    private final BaseNetwork base;
    private final HeadConfig headConfig;
    private final HeadTrainingConfig trainingConfig;
    private final HoldoutSplit split;
    private final double minImprovement;
    private final ModelStatus publishStatus;
    private final FeatureBackfill backfill;
    private final FileSystemModelStore store;
    private final VersionAnnouncer control;
    private final IntSupplier highestAnnouncedVersion;
    private final RefitCheckpoints checkpoints;
    private final Optional<FineTuning> fineTuning;
    private final Consumer<String> progress;

    /**
     * @param modelName               the model trained
     * @param base                    the base the features come from
     * @param headConfig              layout and optimiser of the head
     * @param trainingConfig          epochs, batch, early stopping, class weighting
     * @param split                   holdout and validation split
     * @param minImprovement          accuracy a candidate must gain over the current version
     * @param publishStatus           PROMOTED, SHADOW or CANARY, for a candidate that passes (a model's first version,
     *                                with no current version to be a canary beside, is PROMOTED)
     * @param backfill                computes missing features
     * @param store                   where bundles are saved
     * @param control                 where versions are announced
     * @param highestAnnouncedVersion the highest version of the model on the control topic, 0 if none
     * @param checkpoints             where the head checkpoints after every epoch, so a killed refit resumes
     * @param fineTuning              whether and how versions also fine-tune the base; empty for the head alone
     * @param progress                receives a line per step and per epoch
     */
    public Refitter(
            String modelName,
            BaseNetwork base,
            HeadConfig headConfig,
            HeadTrainingConfig trainingConfig,
            HoldoutSplit split,
            double minImprovement,
            ModelStatus publishStatus,
            FeatureBackfill backfill,
            FileSystemModelStore store,
            VersionAnnouncer control,
            IntSupplier highestAnnouncedVersion,
            Path checkpoints,
            Optional<FineTuning> fineTuning,
            Consumer<String> progress) {
        this.modelName = Objects.requireNonNull(modelName, "modelName");
        this.base = Objects.requireNonNull(base, "base");
        this.headConfig = Objects.requireNonNull(headConfig, "headConfig");
        this.trainingConfig = Objects.requireNonNull(trainingConfig, "trainingConfig");
        this.split = Objects.requireNonNull(split, "split");
        this.minImprovement = minImprovement;
        this.publishStatus = Objects.requireNonNull(publishStatus, "publishStatus");
        this.backfill = Objects.requireNonNull(backfill, "backfill");
        this.store = Objects.requireNonNull(store, "store");
        this.control = Objects.requireNonNull(control, "control");
        this.highestAnnouncedVersion = Objects.requireNonNull(highestAnnouncedVersion, "highestAnnouncedVersion");
        this.checkpoints = new RefitCheckpoints(checkpoints);
        this.fineTuning = Objects.requireNonNull(fineTuning, "fineTuning");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /**
     * Runs a refit.
     *
     * @param snapshot the labeled set
     * @param current  the version to beat, if there is one
     * @return what happened
     * @throws org.apache.kafka.common.KafkaException if features or the announcement can't be written
     * @throws java.io.UncheckedIOException if the bundle can't be saved (the current version stays)
     */
    public RefitOutcome refit(List<LabeledExample> snapshot, Optional<CurrentVersion> current) {
        Instant startedAt = Instant.now();
        long started = System.nanoTime();
        Map<String, Integer> unusable = new TreeMap<>();
        List<LabeledExample> ready = new ArrayList<>();
        List<LabeledExample> missing = new ArrayList<>();
        for (LabeledExample example : snapshot) {
            Optional<String> problem = example.features().flatMap(this::shapeProblem);
            if (problem.isPresent()) {
                unusable.merge(problem.get(), 1, Integer::sum);
            } else if (example.features().isPresent()) {
                ready.add(example);
            } else {
                missing.add(example);
            }
        }
        if (!missing.isEmpty()) {
            progress.accept(String.format(
                    Locale.ROOT, "computing features of %d labeled images with %s", missing.size(), base.id()));
        }
        List<LabeledExample> computed =
                backfill.compute(missing, (example, why) -> unusable.merge(reasonKey(why), 1, Integer::sum));
        ready.addAll(computed);
        Duration backfillTime = Duration.ofNanos(System.nanoTime() - started);

        List<String> classes = classOrder(current.map(CurrentVersion::classes).orElse(List.of()), ready);
        Map<Side, List<LabeledExample>> sides = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            sides.put(side, new ArrayList<>());
        }
        ready.forEach(e -> sides.get(split.sideOf(e.imageId(), e.split())).add(e));
        Optional<String> why = unfit(classes, sides);
        if (why.isPresent()) {
            progress.accept("refit skipped: " + why.get());
            return RefitOutcome.skipped(startedAt, why.get(), ready.size(), unusable, computed.size(), backfillTime);
        }
        List<LabeledExample> train = sides.get(Side.TRAIN);
        List<LabeledExample> validation = sides.get(Side.VALIDATION).isEmpty() ? train : sides.get(Side.VALIDATION);
        List<LabeledExample> holdout = sides.get(Side.HOLDOUT);
        int version = nextVersion();
        progress.accept(String.format(
                Locale.ROOT,
                "refit %s v%d: %d labeled images (%d train, %d validation, %d holdout), %d classes%s",
                modelName,
                version,
                ready.size(),
                train.size(),
                sides.get(Side.VALIDATION).size(),
                holdout.size(),
                classes.size(),
                unusable.isEmpty() ? "" : ", left out " + unusable));

        long fitStarted = System.nanoTime();
        TrainedHead result = headConfig.isLinear()
                ? linearHead(classes, train, validation, version)
                : denseHead(current, classes, train, validation, version);

        Optional<FineTuneStep.Tuned> tuned = fineTuning
                .filter(tuning -> tuning.appliesTo(version))
                .flatMap(tuning -> new FineTuneStep(tuning, base, checkpoints.fineTuning(), progress)
                        .run(
                                result.head(),
                                classes,
                                train,
                                validation,
                                holdout,
                                trainingConfig.seed() + version,
                                (example, problem) -> unusable.merge(reasonKey(problem), 1, Integer::sum)));
        Duration fitTime = Duration.ofNanos(System.nanoTime() - fitStarted);

        long evaluateStarted = System.nanoTime();
        // A fine-tuned candidate is scored on the holdout images it could fetch; the current version on the
        // features of the same images, so both are measured on one holdout.
        List<LabeledExample> evaluated = tuned.map(FineTuneStep.Tuned::holdout).orElse(holdout);
        LabeledFeatures holdoutFeatures = features(evaluated, classes);
        float[][] probabilities = tuned.map(FineTuneStep.Tuned::probabilities)
                .orElseGet(() -> predict(result.head(), holdoutFeatures, classes.size()));
        int[] truth = holdoutFeatures.labels();
        ClassificationReport report = ClassificationReport.of(classes, truth, argmax(probabilities));
        double holdoutLoss = ClassificationTally.of(probabilities, truth).loss();
        Optional<Double> currentAccuracy = current.flatMap(c -> currentAccuracy(c, holdoutFeatures, classes));
        Duration evaluateTime = Duration.ofNanos(System.nanoTime() - evaluateStarted);
        boolean passes = current.isEmpty()
                || currentAccuracy.isEmpty()
                || report.accuracy() >= currentAccuracy.get() + minImprovement;
        ModelStatus status = !passes
                ? ModelStatus.REJECTED
                : publishStatus == ModelStatus.CANARY && current.isEmpty() ? ModelStatus.PROMOTED : publishStatus;

        long publishStarted = System.nanoTime();
        Map<String, Double> metrics = new HashMap<>();
        metrics.put(HOLDOUT_ACCURACY, report.accuracy());
        metrics.put(HOLDOUT_LOSS, holdoutLoss);
        metrics.put(HOLDOUT_SIZE, (double) evaluated.size());
        tuned.ifPresent(t -> metrics.put(FINE_TUNE_IMAGES, (double) t.images()));
        metrics.put(TRAIN_SIZE, (double) train.size());
        metrics.put(LABELED_IMAGES, (double) ready.size());
        currentAccuracy.ifPresent(a -> metrics.put(PARENT_HOLDOUT_ACCURACY, a));
        Instant now = Instant.now();
        BundleManifest manifest = BundleManifest.create(
                        modelName,
                        version,
                        classes,
                        base.modelId(),
                        base.preprocessing(),
                        now,
                        metrics,
                        current.map(CurrentVersion::version).orElse(null))
                .withHoldoutProfile(PredictionProfile.of(classes, Arrays.asList(probabilities)));
        ComputationGraph network;
        TrainingCurves curves;
        if (tuned.isPresent()) {
            // Fine-tuning changed the base's weights: its features are no longer the base's, so the bundle names
            // no bottleneck and its scorers publish none for the labeled set.
            network = tuned.get().network();
            curves = tuned.get().curves();
        } else {
            manifest = manifest.withBottleneckLayer(FineTuner.featuresVertex(base));
            network = new FineTuner(FineTuneConfig.defaults()).assemble(base, result.head(), FineTuner.Unfreeze.none());
            curves = result.curves();
        }
        manifest = manifest.withLineage(lineage(ready, version, tuned.isPresent()));
        ModelBundle bundle = ModelBundle.of(manifest, network).withCurves(curves);
        StoredBundle stored = store.save(bundle);
        control.announce(ModelAnnouncements.of(stored, manifest, status, now, report));
        network.clear();
        discardCheckpoint();
        Duration publishTime = Duration.ofNanos(System.nanoTime() - publishStarted);
        progress.accept(String.format(
                Locale.ROOT,
                "v%d holdout accuracy %.3f%s: %s",
                version,
                report.accuracy(),
                currentAccuracy
                        .map(a -> String.format(
                                Locale.ROOT,
                                " vs %.3f for v%d",
                                a,
                                current.get().version()))
                        .orElse(""),
                passes ? "announced " + status : "REJECTED (needs +" + minImprovement + ")"));
        return new RefitOutcome(
                startedAt,
                Optional.empty(),
                version,
                status,
                classes,
                ready.size(),
                train.size(),
                sides.get(Side.VALIDATION).size(),
                evaluated.size(),
                tuned.isPresent(),
                Map.copyOf(unusable),
                computed.size(),
                report.accuracy(),
                currentAccuracy,
                curves.lastEpoch(),
                backfillTime,
                fitTime,
                evaluateTime,
                publishTime);
    }

    /** What trained this version: the labeled set, when it was labeled, and the recipe and seed. */
    private Lineage lineage(List<LabeledExample> labeled, int version, boolean fineTuned) {
        Map<String, Integer> perClass = new TreeMap<>();
        labeled.forEach(example -> perClass.merge(example.label(), 1, Integer::sum));
        Map<String, String> recipe = new TreeMap<>();
        recipe.put("head", headConfig.toString());
        recipe.put("training", trainingConfig.toString());
        recipe.put("split", split.toString());
        recipe.put("gateMinImprovement", Double.toString(minImprovement));
        if (fineTuned) {
            FineTuning tuning = fineTuning.orElseThrow();
            recipe.put("fineTune", tuning.config().toString());
            recipe.put(
                    "fineTuneLayers",
                    FineTuner.Unfreeze.lastBlockOf(base, tuning.layers()).toString());
            recipe.put("fineTuneMaxImages", Integer.toString(tuning.maxImages()));
        }
        return new Lineage(
                perClass,
                labeled.stream()
                        .map(LabeledExample::labeledAt)
                        .min(Instant::compareTo)
                        .orElseThrow(),
                labeled.stream()
                        .map(LabeledExample::labeledAt)
                        .max(Instant::compareTo)
                        .orElseThrow(),
                recipe,
                trainingConfig.seed() + version);
    }

    /** The seeds' head, warm-started from the current version and checkpointed every epoch. */
    private TrainedHead denseHead(
            Optional<CurrentVersion> current,
            List<String> classes,
            List<LabeledExample> train,
            List<LabeledExample> validation,
            int version) {
        ComputationGraph head =
                HeadBuilder.build(base.featureShape(), classes.size(), headConfig, trainingConfig.seed() + version);
        current.ifPresent(c -> c.network().ifPresent(network -> {
            HeadWarmStart.Carried carried = HeadWarmStart.copy(network, c.classes(), head, classes);
            progress.accept(String.format(
                    Locale.ROOT,
                    "warm start from v%d: dense layer %s, output units of %d of %d classes",
                    c.version(),
                    carried.dense() ? "copied" : "fresh",
                    carried.carriedClasses(),
                    classes.size()));
        }));
        HeadTrainer trainer = new HeadTrainer(trainingConfig);
        String fingerprint = RefitCheckpoints.fingerprint(
                String.join(
                        "\n",
                        modelName,
                        "v" + version,
                        base.id().toString(),
                        String.join("\t", classes),
                        current.map(c -> "from v" + c.version()).orElse("fresh"),
                        headConfig.toString(),
                        trainingConfig.toString(),
                        fineTuning
                                .filter(tuning -> tuning.appliesTo(version))
                                .map(tuning -> "fine-tune " + tuning.config() + " layers " + tuning.layers()
                                        + " max images " + tuning.maxImages())
                                .orElse("head only")),
                train,
                validation);
        return trainHead(trainer, head, features(train, classes), features(validation, classes), fingerprint);
    }

    // Seconds of full-batch steps on features already computed: nothing to checkpoint or warm-start.
    private TrainedHead linearHead(
            List<String> classes, List<LabeledExample> train, List<LabeledExample> validation, int version) {
        ComputationGraph head =
                HeadBuilder.build(base.featureShape(), classes.size(), headConfig, trainingConfig.seed() + version);
        // With no validation side the training images stand in for it; joined to themselves for the final fit,
        // every example still weighs the same.
        return new LinearHeadTrainer(LinearHeadTrainingConfig.defaults(
                        trainingConfig.seed() + version, trainingConfig.classWeighting()))
                .train(
                        head,
                        features(train, classes),
                        features(validation, classes),
                        line -> progress.accept("  " + line));
    }

    private HeadTrainingResult trainHead(
            HeadTrainer trainer,
            ComputationGraph head,
            LabeledFeatures train,
            LabeledFeatures validation,
            String fingerprint) {
        Consumer<EpochMetrics> onEpoch = epoch -> progress.accept("  " + epoch.summary());
        Path directory = checkpoints.directory();
        try {
            if (checkpoints.prepare(fingerprint)) {
                progress.accept("resuming the interrupted refit from its checkpoint in " + directory);
                try {
                    return trainer.resume(directory, train, validation, onEpoch);
                } catch (IOException e) {
                    // A checkpoint cut short by the kill must not fail every later refit: start this one afresh.
                    progress.accept("the checkpoint can't be resumed (" + e.getMessage() + "); training afresh");
                    checkpoints.clear();
                    checkpoints.prepare(fingerprint);
                }
            }
            return trainer.train(head, train, validation, directory, onEpoch);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the refit checkpoint in " + directory, e);
        }
    }

    /** The refit is announced: its checkpoint is no longer needed, and a stale one is replaced by the next refit. */
    private void discardCheckpoint() {
        try {
            checkpoints.clear();
        } catch (IOException e) {
            progress.accept("could not delete the finished refit's checkpoint in " + checkpoints.directory() + ": "
                    + e.getMessage() + " (the next refit replaces it)");
        }
    }

    private Optional<String> shapeProblem(FeatureVector vector) {
        long[] shape = vector.getShape().stream().mapToLong(Integer::longValue).toArray();
        if (!Arrays.equals(shape, base.featureShape())) {
            return Optional.of("features of shape " + Arrays.toString(shape) + ", the base gives "
                    + Arrays.toString(base.featureShape()));
        }
        if (vector.getValues().size() != BottleneckFeatures.length(shape)) {
            return Optional.of(
                    "features with " + vector.getValues().size() + " values for shape " + Arrays.toString(shape));
        }
        return Optional.empty();
    }

    /** Reasons are counted, so the image-specific part of a fetch message is cut off. */
    private static String reasonKey(String why) {
        int colon = why.indexOf(':');
        return colon < 0 ? why : why.substring(0, colon);
    }

    /**
     * Classes the current version knows keep their order; new labels follow, sorted. Classes nobody labels any more
     * drop out.
     */
    static List<String> classOrder(List<String> previous, List<LabeledExample> examples) {
        Set<String> labeled = new TreeSet<>();
        examples.forEach(e -> labeled.add(e.label()));
        Set<String> ordered = new LinkedHashSet<>();
        previous.stream().filter(labeled::contains).forEach(ordered::add);
        ordered.addAll(labeled);
        return List.copyOf(ordered);
    }

    private static Optional<String> unfit(List<String> classes, Map<Side, List<LabeledExample>> sides) {
        if (classes.size() < 2) {
            return Optional.of(
                    "the labeled set has " + classes.size() + " class(es) " + classes + "; a classifier needs two");
        }
        if (sides.get(Side.HOLDOUT).isEmpty()) {
            return Optional.of(
                    "no labeled image falls in the holdout yet; label more images (or some with split HOLDOUT)");
        }
        if (sides.get(Side.TRAIN).isEmpty()) {
            return Optional.of("no labeled image falls on the training side yet; label more images");
        }
        Set<String> trained = new TreeSet<>();
        sides.get(Side.TRAIN).forEach(e -> trained.add(e.label()));
        if (trained.size() < 2) {
            return Optional.of("the training side has only class(es) " + trained + "; label images of another class");
        }
        return Optional.empty();
    }

    private int nextVersion() {
        int stored = store.list().stream()
                .filter(b -> b.modelName().equals(modelName))
                .mapToInt(StoredBundle::version)
                .max()
                .orElse(0);
        return Math.max(stored, highestAnnouncedVersion.getAsInt()) + 1;
    }

    private static LabeledFeatures features(List<LabeledExample> examples, List<String> classes) {
        List<BottleneckFeatures> vectors = new ArrayList<>(examples.size());
        int[] labels = new int[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            FeatureVector vector = examples.get(i).features().orElseThrow();
            float[] values = new float[vector.getValues().size()];
            for (int j = 0; j < values.length; j++) {
                values[j] = vector.getValues().get(j);
            }
            vectors.add(new BottleneckFeatures(
                    values,
                    vector.getShape().stream().mapToLong(Integer::longValue).toArray()));
            labels[i] = classes.indexOf(examples.get(i).label());
        }
        return LabeledFeatures.of(vectors, labels);
    }

    private float[][] predict(ComputationGraph head, LabeledFeatures data, int classCount) {
        float[][] all = new float[data.count()][];
        int[] order = ExampleOrder.identity(data.count());
        for (int from = 0; from < data.count(); from += trainingConfig.batchSize()) {
            int size = Math.min(trainingConfig.batchSize(), data.count() - from);
            float[][] batch =
                    ClassOutputs.probabilities(head.output(false, data.batch(order, from, size))[0], classCount);
            System.arraycopy(batch, 0, all, from, size);
        }
        return all;
    }

    /** The current version on the candidate's holdout; a class it does not know can't be predicted right. */
    private Optional<Double> currentAccuracy(CurrentVersion current, LabeledFeatures holdout, List<String> classes) {
        if (!current.scoresFeatures()) {
            return current.recordedAccuracy();
        }
        int[] order = ExampleOrder.identity(holdout.count());
        int correct = 0;
        for (int from = 0; from < holdout.count(); from += trainingConfig.batchSize()) {
            int size = Math.min(trainingConfig.batchSize(), holdout.count() - from);
            INDArray[] input = holdout.batch(order, from, size);
            int[] predicted = argmax(current.probabilities(input[0]));
            for (int row = 0; row < size; row++) {
                if (current.classes().get(predicted[row]).equals(classes.get(holdout.labels()[from + row]))) {
                    correct++;
                }
            }
        }
        return Optional.of((double) correct / holdout.count());
    }

    private static int[] argmax(float[][] probabilities) {
        return Arrays.stream(probabilities).mapToInt(ClassOutputs::argMax).toArray();
    }
}
