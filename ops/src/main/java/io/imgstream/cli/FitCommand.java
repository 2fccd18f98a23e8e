package io.imgstream.cli;

import io.imgstream.clients.publish.PublishProgress;
import io.imgstream.evaluation.TrainingReport;
import io.imgstream.model.augment.AugmentationPreset;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bases.BaseStore;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.head.HeadKind;
import io.imgstream.model.head.LinearHeadTrainingConfig;
import io.imgstream.model.training.ConcatenatedBase;
import io.imgstream.model.training.FineTuner;
import io.imgstream.model.weights.WeightLoadException;
import io.imgstream.training.fit.Fit;
import io.imgstream.training.fit.FitSettings;
import io.imgstream.training.fit.FolderDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream fit DATA_DIR --base NAME [--base NAME...]}: the transfer-learning recipe on a folder-per-class
 * tree, on one base or several concatenated.
 */
@Command(
        name = "fit",
        mixinStandardHelpOptions = true,
        description = "Train a classifier on a folder-per-class image tree (train/, validation/ and optionally test/ "
                + "class folders, or class folders alone with --validation-split) on a stored base (or several, "
                + "their features concatenated): cached bottleneck features, a Dense(256)-Dropout(0.5) head with "
                + "early stopping, optionally fine-tuning the base's last block. Writes a bundle to the model "
                + "store, ready for 'models promote', and a report directory.")
public final class FitCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private BaseStoreOption bases;

    @Parameters(paramLabel = "DATA_DIR", description = "The image tree.")
    private Path data;

    @Option(
            names = "--base",
            required = true,
            paramLabel = "BASE",
            description = "Stored base by name or id (imgstream bases list). Repeat it to concatenate several "
                    + "bases' features: one network, its input the first base's (or --input's size), each base "
                    + "scaled as it was trained.")
    private List<String> baseNames;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "NAME",
            description = "Model name of the bundle; its version is the store's next.")
    private String model;

    @Option(
            names = "--store",
            paramLabel = "DIR",
            defaultValue = ModelStoreOption.DEFAULT_STORE,
            description = "Model store root (default: ${DEFAULT-VALUE}).")
    private Path store;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            description = "Report directory (default: .imgstream/fit/MODEL/report).")
    private Path report;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Feature cache and checkpoints (default: .imgstream/fit/MODEL).")
    private Path workDir;

    @Option(
            names = "--validation-split",
            paramLabel = "PERCENT",
            defaultValue = "20",
            description = "For class folders without train/ and validation/: the share of each class held out for "
                    + "validation (default: ${DEFAULT-VALUE}).")
    private int validationPercent;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            defaultValue = "" + FitSettings.DEFAULT_HEAD_EPOCHS,
            description = "Most epochs of the dense head; early stopping usually ends sooner. A linear head takes "
                    + LinearHeadTrainingConfig.DEFAULT_EPOCHS
                    + " full-batch steps per L2 strength (default: ${DEFAULT-VALUE}).")
    private int epochs;

    @Option(names = "--fine-tune", description = "Then fine-tune the base's last layers with the head.")
    private boolean fineTune;

    @Option(
            names = "--fine-tune-epochs",
            paramLabel = "N",
            defaultValue = "" + FitSettings.DEFAULT_FINE_TUNE_EPOCHS,
            description = "Epochs of fine-tuning (default: ${DEFAULT-VALUE}).")
    private int fineTuneEpochs;

    @Option(
            names = "--unfreeze",
            paramLabel = "N",
            defaultValue = "0",
            description = "Base layers fine-tuning trains, counted from the end (default: VGG's block 5, or the last "
                    + FineTuner.DEFAULT_LAST_LAYERS + " layers of another base).")
    private int unfreeze;

    @Option(
            names = "--augment",
            paramLabel = "PRESET",
            defaultValue = "seeds",
            description = "Random changes fine-tuning makes to each training image: seeds (the Keras recipe's "
                    + "40-degree rotations, 20%% shifts, shear, zoom, mirroring, brightness), light (mirroring, 10%% "
                    + "shifts and zoom, brightness; no rotation or shear, for small centred subjects) or none "
                    + "(default: ${DEFAULT-VALUE}).")
    private String augment;

    @Option(
            names = "--input",
            paramLabel = "SIZE",
            description = "Input height and width for a VGG base, or for several bases the size all of them run "
                    + "at (default: the first base's).")
    private Integer input;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            description = "Seed of splits, shuffling, dropout and augmentation (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(
            names = "--normalize",
            description = "Standardise the pooled features before the head's dense layer (batch normalisation): for "
                    + "a base cut at an intermediate layer, whose channels differ in scale by orders of magnitude.")
    private boolean normalize;

    @Option(
            names = "--head",
            paramLabel = "KIND",
            defaultValue = "dense",
            converter = HeadKindConverter.class,
            description = "dense: the seeds' Dense(256)-Dropout(0.5) head, stopped early on the validation loss; "
                    + "linear: a softmax regression on the pooled features (an intermediate layer's maps averaged "
                    + "over a 2x2 grid), its L2 strength chosen on the validation images, then fitted on every "
                    + "labelled image where a test split measures it and nothing is fine-tuned (default: "
                    + "${DEFAULT-VALUE}).")
    private HeadKind head;

    @Option(
            names = "--resume",
            description = "Continue an interrupted fit from its last checkpoints in the work directory: the head's "
                    + "training, then the fine-tuning's (with --fine-tune).")
    private boolean resume;

    /** Reads {@code dense} or {@code linear}, as the help spells them. */
    static final class HeadKindConverter implements CommandLine.ITypeConverter<HeadKind> {
        @Override
        public HeadKind convert(String value) {
            for (HeadKind kind : HeadKind.values()) {
                if (kind.name().equalsIgnoreCase(value)) {
                    return kind;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a head: use dense or linear");
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Path work = workDir != null ? workDir : Path.of(".imgstream", "fit", model);
        Path reportDir = report != null ? report : work.resolve("report");
        FitSettings settings;
        FolderDataset dataset;
        BaseNetwork network;
        try {
            settings = new FitSettings(
                    model,
                    epochs,
                    fineTune,
                    fineTuneEpochs,
                    unfreeze,
                    seed,
                    work,
                    resume,
                    normalize,
                    AugmentationPreset.of(augment),
                    head);
            dataset = FolderDataset.read(data, validationPercent, seed);
            network = loadBases();
        } catch (IllegalArgumentException | WeightLoadException e) {
            throw new CliException(e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
        Fit.Outcome outcome;
        try (FeatureProgress progress = new FeatureProgress(PublishProgress.bar(
                "features",
                dataset.train().size() + dataset.validation().size(),
                spec.commandLine().getErr()))) {
            outcome = new Fit(network, settings, line -> {
                        out.println(line);
                        out.flush();
                    })
                    .run(dataset, new FileSystemModelStore(store), reportDir, progress);
        } catch (IllegalArgumentException e) {
            throw new CliException("The fit stopped: " + e.getMessage(), CliException.FAILED, e);
        }
        Path index = TrainingReport.write(contents(outcome, network, dataset), reportDir);
        out.printf(
                Locale.ROOT,
                "Saved %s v%d to %s (%s accuracy %.3f on %d images)%nReport: %s%nServe it with: imgstream models "
                        + "promote %s:%d --store %s%n",
                outcome.manifest().modelName(),
                outcome.manifest().version(),
                outcome.bundle().uri(),
                outcome.evaluatedOn(),
                outcome.report().accuracy(),
                outcome.report().count(),
                index,
                outcome.manifest().modelName(),
                outcome.manifest().version(),
                store);
        out.flush();
        return CliException.OK;
    }

    private BaseNetwork loadBases() throws WeightLoadException {
        OptionalInt size = input == null ? OptionalInt.empty() : OptionalInt.of(input);
        BaseStore baseStore = bases.open();
        if (baseNames.size() == 1) {
            return baseStore.load(baseStore.find(baseNames.get(0)), size);
        }
        if (fineTune) {
            throw new IllegalArgumentException(Fit.FINE_TUNING_SEVERAL_BASES);
        }
        List<BaseNetwork> parts = new ArrayList<>();
        for (String name : baseNames) {
            // Each at its own size: the concatenation runs them all at the shared one.
            parts.add(baseStore.load(baseStore.find(name), OptionalInt.empty()));
        }
        return ConcatenatedBase.of(parts, size);
    }

    private static String describe(BaseNetwork network) {
        if (network instanceof ConcatenatedBase concatenated) {
            return concatenated.bases().stream().map(FitCommand::describe).collect(Collectors.joining(", "))
                    + "; concatenated at " + network.preprocessing().height() + "x"
                    + network.preprocessing().width();
        }
        return network.id() + " at " + network.bottleneckLayer();
    }

    private TrainingReport.Contents contents(Fit.Outcome outcome, BaseNetwork network, FolderDataset dataset) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("base", describe(network));
        facts.put("data", data.toAbsolutePath().toString());
        facts.put(
                "images",
                dataset.train().size() + " training, " + dataset.validation().size() + " validation"
                        + dataset.test().map(t -> ", " + t.size() + " test").orElse(""));
        facts.put("classes", String.join(", ", dataset.classes()));
        facts.put("fine-tuned", fineTune ? "yes, " + fineTuneEpochs + " epochs" : "no");
        facts.put("features standardised", normalize ? "yes" : "no");
        facts.put(
                "features",
                String.format(
                        Locale.ROOT,
                        "%.1f s (%d from the cache)",
                        outcome.featureTime().toNanos() / 1e9,
                        outcome.featuresCached()));
        facts.put(
                "training",
                String.format(Locale.ROOT, "%.1f s", outcome.trainTime().toNanos() / 1e9));
        facts.put("bundle", outcome.bundle().uri().toString());
        Map<String, TrainingCurves> curves = new LinkedHashMap<>();
        curves.put("head", outcome.headCurves());
        outcome.fineTuneCurves().ifPresent(c -> curves.put("fine-tuning", c));
        return new TrainingReport.Contents(
                outcome.manifest().modelName() + " v" + outcome.manifest().version(),
                facts,
                outcome.evaluatedOn(),
                outcome.report(),
                curves,
                outcome.mistakes().stream()
                        .map(m -> new TrainingReport.Mistake(
                                data.toAbsolutePath()
                                        .relativize(m.file().toAbsolutePath())
                                        .toString(),
                                m.truth(),
                                m.predicted(),
                                m.overlay()))
                        .toList());
    }

    /**
     * The features bar, ended once the last labelled image's features are in: left open through the training that
     * follows, it ran into the fit's log lines.
     */
    private static final class FeatureProgress implements BiConsumer<Integer, Integer>, AutoCloseable {

        private final ProgressBar bar;
        private final AtomicBoolean closed = new AtomicBoolean();

        FeatureProgress(ProgressBar bar) {
            this.bar = bar;
        }

        @Override
        public void accept(Integer done, Integer total) {
            if (closed.get()) {
                return;
            }
            bar.stepTo(done);
            if (done >= total) {
                close();
            }
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                bar.close();
            }
        }
    }
}
