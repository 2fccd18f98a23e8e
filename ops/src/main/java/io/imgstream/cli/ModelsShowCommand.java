package io.imgstream.cli;

import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleFormatException;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.Lineage;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.preprocess.Preprocessing;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgstream models show}: one bundle's manifest, lineage and training curves. */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "Show one bundle of the model store: classes, preprocessing, base model id, metrics, what "
                + "trained it (labels per class, their time range, recipe and seed) and the training "
                + "curves (per epoch). Loads the whole bundle, so a corrupt one is reported. With --status, also "
                + "what the control topic says the version is now (current, canary and its share, shadow, ...).")
public final class ModelsShowCommand implements Callable<Integer> {

    private static final String CURVES_FORMAT = "%6s %11s %10s %10s %9s%n";

    @Spec
    private CommandSpec spec;

    @Mixin
    private ModelStoreOption store;

    @Mixin
    private ControlStatusOptions status;

    @Parameters(index = "0", paramLabel = "NAME", description = "Model name, or NAME:VERSION (e.g. 'fashion-demo:1').")
    private String name;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "VERSION",
            description = "Model version (e.g. '1' or 'v1'); required unless given as NAME:VERSION.")
    private String version;

    @Override
    public Integer call() {
        ModelCoordinates coordinates = ModelCoordinates.parse(name, version);
        String modelName = coordinates.name();
        int modelVersion = coordinates.version();
        FileSystemModelStore modelStore = store.open();
        Path file = modelStore.bundlePath(modelName, modelVersion);
        if (!Files.isRegularFile(file)) {
            throw badArgument("No bundle " + modelName + " v" + modelVersion + " in " + modelStore.root()
                    + ": 'imgstream models list --store " + modelStore.root() + "' shows the stored ones");
        }
        ModelBundle bundle;
        try {
            bundle = BundleFile.readUnverified(file);
        } catch (BundleFormatException e) {
            throw new CliException("Bundle " + file + " is corrupt: " + e.getMessage(), CliException.FAILED, e);
        }
        Optional<String> onTopic =
                status.records().map(records -> ControlStatusOptions.of(records, modelName, modelVersion));
        PrintWriter out = spec.commandLine().getOut();
        print(bundle, file, onTopic, out);
        out.flush();
        return CliException.OK;
    }

    private static void print(ModelBundle bundle, Path file, Optional<String> status, PrintWriter out) {
        BundleManifest manifest = bundle.manifest();
        Preprocessing preprocessing = manifest.preprocessing();
        out.printf("Model:         %s v%d%n", manifest.modelName(), manifest.version());
        status.ifPresent(onTopic -> out.printf("Status:        %s%n", onTopic));
        out.printf("File:          %s%n", file);
        out.printf("Created:       %s%n", manifest.createdAt());
        out.printf("Parent:        %s%n", manifest.parentVersion() == null ? "-" : "v" + manifest.parentVersion());
        out.printf("Base model:    %s%n", manifest.baseModelId());
        out.printf("Classes:       %d: %s%n", manifest.classes().size(), String.join(", ", manifest.classes()));
        out.printf(
                "Preprocessing: %dx%d, %d channel(s), scaling %s, resize %s%n",
                preprocessing.width(),
                preprocessing.height(),
                preprocessing.channels(),
                preprocessing.scaling(),
                preprocessing.resize());
        out.println("Metrics:");
        if (manifest.metrics().isEmpty()) {
            out.println("  (none)");
        }
        for (Map.Entry<String, Double> metric : manifest.metrics().entrySet()) {
            out.printf(Locale.ROOT, "  %-20s %.4f%n", metric.getKey(), metric.getValue());
        }
        Lineage lineage = manifest.lineage();
        if (lineage != null) {
            out.printf(
                    "Trained from:  %d labels given %s to %s: %s%n",
                    lineage.labeledPerClass().values().stream()
                            .mapToInt(Integer::intValue)
                            .sum(),
                    lineage.firstLabel(),
                    lineage.lastLabel(),
                    lineage.labeledPerClass().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", ")));
            out.printf("Seed:          %d%n", lineage.seed());
            out.println("Recipe:");
            lineage.recipe().forEach((name, setting) -> out.printf("  %-20s %s%n", name, setting));
        }
        PredictionProfile profile = manifest.holdoutProfile();
        if (profile != null) {
            // The drift reference: what scorers compare their recent predictions with.
            out.printf(
                    "Holdout profile: %d predictions; by confidence (0-0.1 .. 0.9-1): %s; by class: %s%n",
                    profile.count(),
                    profile.confidence().stream().map(String::valueOf).collect(Collectors.joining(" ")),
                    profile.predicted().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", ")));
        }
        out.println("Training curves:");
        bundle.curves()
                .ifPresentOrElse(
                        curves -> printCurves(curves, out), () -> out.println("  (not recorded in this bundle)"));
    }

    private static void printCurves(TrainingCurves curves, PrintWriter out) {
        out.printf(CURVES_FORMAT, "EPOCH", "TRAIN LOSS", "TRAIN ACC", "VAL LOSS", "VAL ACC");
        for (int i = 0; i < curves.epoch().size(); i++) {
            out.printf(
                    CURVES_FORMAT,
                    curves.epoch().get(i),
                    format(curves.trainLoss().get(i)),
                    format(curves.trainAccuracy().get(i)),
                    format(curves.validationLoss().get(i)),
                    format(curves.validationAccuracy().get(i)));
        }
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static CliException badArgument(String message) {
        return new CliException(message, CliException.BAD_ARGUMENT);
    }
}
