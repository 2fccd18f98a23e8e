package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.Lineage;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.SmallCnn;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelsCommandTest {

    private static final Preprocessing PREPROCESSING =
            new Preprocessing(8, 8, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);
    private static final List<String> CLASSES = List.of("cat", "dog", "fox");
    private static final Instant CREATED_AT = Instant.parse("2024-05-01T12:00:00Z");
    private static final TrainingCurves CURVES = new TrainingCurves(
            List.of(1, 2), List.of(1.1, 0.7), List.of(0.4, 0.6), List.of(1.2, 0.9), List.of(0.35, 0.55));

    @TempDir
    Path storeDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldListEveryStoredBundleWithItsAccuracy() {
        StoredBundle first = save("pets", 1, Map.of("holdoutAccuracy", 0.875), CURVES);
        save("pets", 2, Map.of(), null);

        int exit = run("models", "list", "--store", storeDir.toString());

        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(CliException.OK);
        assertThat(out.toString().lines()).hasSize(3);
        assertThat(out.toString().lines().toList().get(1))
                .startsWith("pets")
                .contains(
                        "v1",
                        Long.toString(first.sizeBytes()),
                        first.sha256().substring(0, 12),
                        "2024-05-01T12:00:00Z",
                        "0.875");
        assertThat(out.toString().lines().toList().get(2))
                .startsWith("pets")
                .contains("v2")
                .endsWith("-");
    }

    @Test
    void shouldMarkACorruptBundleInTheListAndKeepListingTheOthers() throws IOException {
        save("pets", 1, Map.of(), null);
        Path corrupt = new FileSystemModelStore(storeDir).bundlePath("zebras", 1);
        Files.createDirectories(corrupt.getParent());
        Files.writeString(corrupt, "not a zip");

        int exit = run("models", "list", "--store", storeDir.toString());

        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(CliException.OK);
        assertThat(out.toString())
                .contains("pets")
                .contains("zebras")
                .contains("CORRUPT")
                .contains("no zip entries");
    }

    @Test
    void shouldShowTheManifestAndTheTrainingCurves() {
        save("pets", 1, Map.of("holdoutAccuracy", 0.875), CURVES);

        int exit = run("models", "show", "pets:1", "--store", storeDir.toString());

        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(CliException.OK);
        assertThat(out.toString())
                .contains(
                        "pets v1",
                        "Classes:       3: cat, dog, fox",
                        "small-cnn-8x8-gray",
                        "8x8, 1 channel(s), scaling UNIT, resize SQUASH",
                        "holdoutAccuracy",
                        "0.8750");
        assertThat(out.toString().lines())
                .anySatisfy(line -> assertThat(line.trim().split("\\s+"))
                        .containsExactly("2", "0.7000", "0.6000", "0.9000", "0.5500"));
    }

    @Test
    void shouldShowWhatTrainedAVersion() {
        BundleManifest manifest = BundleManifest.create(
                        "pets", 3, CLASSES, "small-cnn-8x8-gray", PREPROCESSING, CREATED_AT, Map.of(), null)
                .withLineage(new Lineage(
                        Map.of("cat", 4, "dog", 5, "fox", 6),
                        Instant.parse("2026-11-01T10:00:00Z"),
                        Instant.parse("2026-11-02T10:00:00Z"),
                        Map.of("head", "HeadConfig[hiddenUnits=256]"),
                        45))
                .withHoldoutProfile(
                        PredictionProfile.of(CLASSES, new long[] {0, 0, 0, 0, 1, 0, 0, 0, 1, 1}, new long[] {2, 0, 1}));
        new FileSystemModelStore(storeDir).save(ModelBundle.of(manifest, SmallCnn.build(1, 8, 8, CLASSES.size(), 3)));

        int exit = run("models", "show", "pets:3", "--store", storeDir.toString());

        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(CliException.OK);
        assertThat(out.toString())
                .contains(
                        "Trained from:  15 labels given 2026-11-01T10:00:00Z to 2026-11-02T10:00:00Z: "
                                + "cat 4, dog 5, fox 6",
                        "Seed:          45",
                        "HeadConfig[hiddenUnits=256]",
                        "Holdout profile: 3 predictions; by confidence (0-0.1 .. 0.9-1): 0 0 0 0 1 0 0 0 1 1; "
                                + "by class: cat 2, dog 0, fox 1");
    }

    @Test
    void shouldSayWhenABundleHasNoCurves() {
        save("pets", 2, Map.of(), null);

        int exit = run("models", "show", "pets", "v2", "--store", storeDir.toString());

        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(CliException.OK);
        assertThat(out.toString()).contains("(not recorded in this bundle)", "(none)");
    }

    @Test
    void shouldRefuseAMissingBundle() {
        save("pets", 1, Map.of(), null);

        int exit = run("models", "show", "pets", "7", "--store", storeDir.toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString())
                .contains("No bundle pets v7 in " + storeDir.toAbsolutePath().normalize());
    }

    @Test
    void shouldRefuseAMissingStore() {
        Path missing = storeDir.resolve("nowhere");

        int exit = run("models", "list", "--store", missing.toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("No model store at " + missing);
    }

    @Test
    void shouldReportACorruptBundle() throws IOException {
        Path corrupt = new FileSystemModelStore(storeDir).bundlePath("pets", 1);
        Files.createDirectories(corrupt.getParent());
        Files.writeString(corrupt, "not a zip");

        int exit = run("models", "show", "pets:1", "--store", storeDir.toString());

        assertThat(exit).isEqualTo(CliException.FAILED);
        assertThat(err.toString()).contains("Bundle " + corrupt + " is corrupt: not a bundle: no zip entries");
    }

    @Test
    void shouldRefuseAVersionThatIsNotANumber() {
        int exit = run("models", "show", "pets:latest", "--store", storeDir.toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("'latest' is not a model version");
    }

    @Test
    void shouldRefuseACanaryShareOutsideOneTo99PercentBeforeConnecting() {
        save("pets", 2, Map.of(), null);

        int exit = run("models", "promote", "pets:2", "--canary", "100", "--store", storeDir.toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString())
                .contains("--canary must be a share of the images from 1 to 99 percent, got 100")
                .contains("promote it without --canary");
        assertThat(run("models", "promote", "pets:2", "--canary", "0", "--store", storeDir.toString()))
                .isEqualTo(CliException.BAD_ARGUMENT);
    }

    @Test
    void shouldRefuseACanaryThatIsAlsoAShadow() {
        int exit = run("models", "promote", "pets:2", "--canary", "30", "--shadow", "--store", storeDir.toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("mutually exclusive");
    }

    @Test
    void shouldRefuseToEndACanaryAndRollBackToAVersionAtOnce() {
        int exit = run("models", "rollback", "pets", "--canary", "--to", "1", "--store", storeDir.toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("--canary ends the canary and leaves the current version");
    }

    private StoredBundle save(String name, int version, Map<String, Double> metrics, TrainingCurves curves) {
        BundleManifest manifest = BundleManifest.create(
                name, version, CLASSES, "small-cnn-8x8-gray", PREPROCESSING, CREATED_AT, metrics, null);
        ModelBundle bundle = ModelBundle.of(manifest, SmallCnn.build(1, 8, 8, CLASSES.size(), version));
        return new FileSystemModelStore(storeDir).save(curves == null ? bundle : bundle.withCurves(curves));
    }

    private int run(String... args) {
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
