package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.training.ConcatenatedBase;
import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.TransferExperiment;
import io.imgstream.training.fit.Fit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code imgstream fit} as a user runs it: real Fashion-MNIST images (Debian's {@code dataset-fashion-mnist}) in
 * train/validation/test class folders, on nsfwjs's pretrained MobileNetV2 imported with {@code bases import}.
 */
@Tag("heavy")
class FitCommandTest {

    private static final List<String> CLASSES = List.of("bag", "sneaker", "trouser");
    private static final int[] FASHION_MNIST = {8, 7, 1};
    private static final int TRAIN = 15;
    private static final int VALIDATION = 5;
    private static final int TEST = 10;
    private static final String INCEPTION = "nsfwjs.inception_v3";

    @TempDir
    static Path shared;

    private static Path data;
    private static Path bases;
    private static boolean inceptionImported;

    @TempDir
    Path work;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void writeImagesAndImportTheBase() throws IOException {
        Path tarball = NsfwjsTarball.locate();
        data = shared.resolve("fashion");
        Path fashionMnist = Path.of(TransferExperiment.DEBIAN_DIRECTORY);
        LabeledImages images = IdxImages.read(
                fashionMnist.resolve(TransferExperiment.TEST_IMAGES),
                fashionMnist.resolve(TransferExperiment.TEST_LABELS));
        int[] taken = new int[CLASSES.size()];
        for (int i = 0; i < images.count(); i++) {
            int c = indexOf(images.label(i));
            if (c < 0 || taken[c] >= TRAIN + VALIDATION + TEST) {
                continue;
            }
            String split = taken[c] < TRAIN ? "train" : taken[c] < TRAIN + VALIDATION ? "validation" : "test";
            Path folder = Files.createDirectories(data.resolve(split).resolve(CLASSES.get(c)));
            // JPEG for some, PNG for others, as real folders mix them.
            String format = i % 2 == 0 ? "png" : "jpg";
            ImageIO.write(
                    images.image(i),
                    format,
                    folder.resolve(String.format(Locale.ROOT, "%05d.%s", i, format))
                            .toFile());
            taken[c]++;
        }
        bases = shared.resolve("bases");
        StringWriter log = new StringWriter();
        CommandLine cli = ImgstreamCommand.newCommandLine();
        cli.setOut(new PrintWriter(log, true));
        cli.setErr(new PrintWriter(log, true));
        assertThat(cli.execute("bases", "import", tarball.toString(), "--base-store", bases.toString()))
                .as(log.toString())
                .isZero();
    }

    @Test
    void shouldFitAHeadOnAStoredBaseSaveABundleWriteAReportAndReuseCachedFeatures() throws Exception {
        Path store = work.resolve("models");
        Path report = work.resolve("report");

        int exit = fit("--store", store.toString(), "--report", report.toString());

        assertThat(exit).as("stderr: %s%nstdout: %s", err, out).isEqualTo(CliException.OK);
        assertThat(out.toString())
                .contains("3 classes; 45 training, 15 validation, 30 test images "
                        + "(the bundle is evaluated on the test images); base nsfwjs.mobilenet_v2@")
                .contains("features of 60 images")
                .contains("(0 from the cache)")
                .contains("Saved fm3 v1")
                .contains("imgstream models promote fm3:1");
        JsonNode json =
                new ObjectMapper().readTree(report.resolve("report.json").toFile());
        assertThat(json.get("evaluatedOn").asText()).isEqualTo("test");
        assertThat(json.get("count").asInt()).isEqualTo(30);
        double accuracy = json.get("accuracy").asDouble();
        System.out.printf(
                Locale.ROOT, "fit on nsfwjs MobileNetV2, 15 labels per class: test accuracy %.3f%n", accuracy);
        assertThat(accuracy)
                .as("a pretrained base tells bags, sneakers and trousers apart")
                .isGreaterThan(0.7);
        assertThat(report.resolve("index.html"))
                .content()
                .contains("test accuracy")
                .contains("sneaker");
        assertThat(report.resolve("confusion.png")).isNotEmptyFile();
        assertThat(report.resolve("curves-head.png")).isNotEmptyFile();
        assertThat(out.toString()).doesNotContain("no Grad-CAM overlay");
        if (accuracy < 1.0) {
            assertThat(report.resolve("mistake-1.png"))
                    .as("Grad-CAM of the first mistake, on a channels-last base")
                    .isNotEmptyFile();
        }
        BundleManifest manifest = BundleFile.readManifest(
                Path.of(new FileSystemModelStore(store).list().get(0).uri()));
        assertThat(manifest.classes()).containsExactlyElementsOf(CLASSES);
        assertThat(manifest.baseModelId()).startsWith("nsfwjs.mobilenet_v2@");
        assertThat(manifest.metrics()).containsKey("fitAccuracy");
        assertThat(manifest.holdoutProfile().count())
                .as("the drift reference: the bundle's predictions on the test images")
                .isEqualTo(30);

        out.getBuffer().setLength(0);
        assertThat(fit("--store", store.toString(), "--report", report.toString(), "--epochs", "3"))
                .isEqualTo(CliException.OK);
        assertThat(out.toString()).contains("(60 from the cache)").contains("Saved fm3 v2");
    }

    @Test
    void shouldFineTuneTheLastLayersWithTheHead() throws Exception {
        Path store = work.resolve("models");

        int exit = fit(
                "--store",
                store.toString(),
                "--epochs",
                "10",
                "--fine-tune",
                "--fine-tune-epochs",
                "1",
                "--unfreeze",
                "2",
                "--augment",
                "light");

        assertThat(exit).as("stderr: %s%nstdout: %s", err, out).isEqualTo(CliException.OK);
        assertThat(out.toString())
                .contains("fine-tuning from LastLayers[count=2] for 1 epochs, augmentation light")
                .contains("Saved fm3 v1");
        BundleManifest manifest = BundleFile.readManifest(
                Path.of(new FileSystemModelStore(store).list().get(0).uri()));
        assertThat(manifest.bottleneckLayer())
                .as("a fine-tuned base's features are not the base's: none published")
                .isNull();
    }

    @Test
    void shouldFitOnTwoBasesConcatenatedIntoOneBundleThatNamesBoth() throws Exception {
        importInceptionV3();
        Path store = work.resolve("models");
        assertThat(fit("--store", store.toString(), "--epochs", "2")).isEqualTo(CliException.OK);
        out.getBuffer().setLength(0);

        int exit = fit(
                "--base",
                INCEPTION,
                "--store",
                store.toString(),
                "--report",
                work.resolve("report").toString(),
                "--epochs",
                "10");

        assertThat(exit).as("stderr: %s%nstdout: %s", err, out).isEqualTo(CliException.OK);
        assertThat(out.toString())
                .contains("base nsfwjs.mobilenet_v2@")
                .contains("+nsfwjs.inception_v3@")
                .as("features of MobileNetV2 alone, cached by the first fit, are not those of both")
                .contains("(0 from the cache)")
                .contains("Saved fm3 v2");
        BundleManifest manifest = BundleFile.readManifest(Path.of(new FileSystemModelStore(store)
                .list().stream()
                        .filter(b -> b.version() == 2)
                        .findFirst()
                        .orElseThrow()
                        .uri()));
        assertThat(manifest.baseModelId())
                .matches("nsfwjs\\.mobilenet_v2@[0-9a-f]{64}\\+nsfwjs\\.inception_v3@[0-9a-f]{64}");
        assertThat(manifest.bottleneckLayer()).isEqualTo(ConcatenatedBase.BOTTLENECK);
        assertThat(manifest.preprocessing().height())
                .as("the first base's size")
                .isEqualTo(224);
        double accuracy = manifest.metrics().get(Fit.ACCURACY_METRIC);
        System.out.printf(
                Locale.ROOT,
                "fit on nsfwjs MobileNetV2 + InceptionV3, 15 labels per class: test accuracy %.3f%n",
                accuracy);
        assertThat(accuracy).isGreaterThan(0.7);
        assertThat(work.resolve("report").resolve("index.html"))
                .content()
                .contains("nsfwjs.inception_v3@")
                .contains("concatenated at 224x224");
        assertThat(out.toString()).doesNotContain("no Grad-CAM overlay");
        if (accuracy < 1.0) {
            assertThat(work.resolve("report").resolve("mistake-1.png"))
                    .as("Grad-CAM of the first mistake, one map from both bases")
                    .isNotEmptyFile();
        }
    }

    @Test
    void shouldRefuseToFineTuneSeveralBases() throws Exception {
        importInceptionV3();

        int exit = fit("--base", INCEPTION, "--store", work.resolve("models").toString(), "--fine-tune");

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("fine-tuning is for one base");
    }

    private static synchronized void importInceptionV3() {
        if (inceptionImported) {
            return;
        }
        StringWriter log = new StringWriter();
        CommandLine cli = ImgstreamCommand.newCommandLine();
        cli.setOut(new PrintWriter(log, true));
        cli.setErr(new PrintWriter(log, true));
        assertThat(cli.execute(
                        "bases",
                        "import",
                        NsfwjsTarball.locate().toString(),
                        "--model",
                        "inception_v3",
                        // Its stem and first Inception block (35x35x256): a second architecture to concatenate, at a
                        // fifth of the whole network's cost.
                        "--cut",
                        "mixed0",
                        "--base-store",
                        bases.toString()))
                .as(log.toString())
                .isZero();
        inceptionImported = true;
    }

    @Test
    void shouldFitALinearHeadWhoseStrengthTheValidationImagesChose() throws Exception {
        Path store = work.resolve("models");
        Path report = work.resolve("report");

        int exit = fit("--store", store.toString(), "--report", report.toString(), "--head", "linear");

        assertThat(exit).as("stderr: %s%nstdout: %s", err, out).isEqualTo(CliException.OK);
        assertThat(out.toString())
                .as("MobileNetV2's 1280x7x7 features, averaged over a 2x2 grid")
                .contains("linear head over grid average pooling")
                .contains("L2 0.001: validation accuracy")
                .contains("L2 1.0: validation accuracy")
                .contains("fitted on 60 labelled examples (training and validation)")
                .contains("Saved fm3 v1");
        double accuracy = new ObjectMapper()
                .readTree(report.resolve("report.json").toFile())
                .get("accuracy")
                .asDouble();
        System.out.printf(Locale.ROOT, "linear head on nsfwjs MobileNetV2: test accuracy %.3f%n", accuracy);
        assertThat(accuracy).isGreaterThan(0.7);
        assertThat(report.resolve("curves-head.png")).isNotEmptyFile();
    }

    @Test
    void shouldSayWhatIsWrongWithTheTreeOrTheOptions() throws IOException {
        Path flat = Files.createDirectories(work.resolve("flat").resolve("only-class"));

        int exit = fit(flat.getParent(), "--store", work.resolve("models").toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("1 class folder(s); a classifier needs at least two");

        err.getBuffer().setLength(0);
        assertThat(fit("--store", work.resolve("models").toString(), "--augment", "heavy"))
                .isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("no augmentation 'heavy'; one of seeds, light, none");

        err.getBuffer().setLength(0);
        assertThat(fit("--store", work.resolve("models").toString(), "--head", "wide"))
                .isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("'wide' is not a head: use dense or linear");

        err.getBuffer().setLength(0);
        assertThat(fit("--store", work.resolve("models").toString(), "--head", "linear", "--normalize"))
                .isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("a linear head standardises its features itself");
    }

    private static int indexOf(int fashionMnistClass) {
        for (int c = 0; c < FASHION_MNIST.length; c++) {
            if (FASHION_MNIST[c] == fashionMnistClass) {
                return c;
            }
        }
        return -1;
    }

    private int fit(String... options) {
        return fit(data, options);
    }

    private int fit(Path tree, String... options) {
        String[] args = new String[options.length + 10];
        args[0] = "fit";
        args[1] = tree.toString();
        args[2] = "--base";
        args[3] = "nsfwjs.mobilenet_v2";
        args[4] = "--base-store";
        args[5] = bases.toString();
        args[6] = "--model";
        args[7] = "fm3";
        args[8] = "--work-dir";
        args[9] = work.resolve("fit").toString();
        System.arraycopy(options, 0, args, 10, options.length);
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
