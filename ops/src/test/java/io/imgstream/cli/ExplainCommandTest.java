package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.SmallCnn;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExplainCommandTest {

    private static final List<String> CLASSES = List.of("cat", "dog", "fox");
    private static final int IMAGE_WIDTH = 40;
    private static final int IMAGE_HEIGHT = 24;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path bundleFile;
    private Path imageFile;

    @BeforeEach
    void writeBundleAndImage() throws IOException {
        // A randomly initialised network is enough here: the Grad-CAM math is tested in the model module.
        BundleManifest manifest = BundleManifest.create(
                "pets",
                1,
                CLASSES,
                "small-cnn-16x16-gray",
                new Preprocessing(16, 16, 1, PixelScaling.UNIT, ResizePolicy.SQUASH),
                Instant.parse("2024-05-01T12:00:00Z"),
                Map.of(),
                null);
        bundleFile = dir.resolve("bundle.zip");
        try (OutputStream stream = Files.newOutputStream(bundleFile)) {
            ModelBundle.of(manifest, SmallCnn.build(1, 16, 16, CLASSES.size(), 5))
                    .writeTo(stream);
        }
        BufferedImage image = new BufferedImage(IMAGE_WIDTH, IMAGE_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.WHITE);
        graphics.fillOval(8, 4, 16, 16);
        graphics.dispose();
        imageFile = dir.resolve("image.png");
        ImageIO.write(image, "png", imageFile.toFile());
    }

    @Test
    void shouldWriteAnOverlayOfTheImageSizeAndPrintTheTopClasses() throws IOException {
        Path overlay = dir.resolve("out/overlay.png");

        int exit = run(
                "explain", imageFile.toString(), "--model-bundle", bundleFile.toString(), "--out", overlay.toString());

        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(CliException.OK);
        BufferedImage written = ImageIO.read(overlay.toFile());
        assertThat(written.getWidth()).isEqualTo(IMAGE_WIDTH);
        assertThat(written.getHeight()).isEqualTo(IMAGE_HEIGHT);
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.subList(0, 3)).allSatisfy(line -> assertThat(line).matches("(cat|dog|fox) +0\\.\\d{4}"));
        assertThat(lines.get(3)).contains("on layer '" + SmallCnn.CONV2 + "'", "written to " + overlay);
    }

    @Test
    void shouldExplainTheRequestedClassAndLayer() {
        Path overlay = dir.resolve("fox.png");

        int exit = run(
                "explain",
                imageFile.toString(),
                "--model-bundle",
                bundleFile.toString(),
                "--class",
                "fox",
                "--layer",
                SmallCnn.CONV1,
                "--out",
                overlay.toString(),
                "--top",
                "1");

        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(CliException.OK);
        assertThat(overlay).isRegularFile();
        assertThat(out.toString().lines()).hasSize(2);
        assertThat(out.toString()).contains("Grad-CAM of class 'fox'", "on layer '" + SmallCnn.CONV1 + "'");
    }

    @Test
    void shouldRefuseAnUnknownClass() {
        int exit = run(
                "explain",
                imageFile.toString(),
                "--model-bundle",
                bundleFile.toString(),
                "--class",
                "owl",
                "--out",
                dir.resolve("owl.png").toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("The bundle has no class 'owl'; its classes are cat, dog, fox");
    }

    @Test
    void shouldRefuseAFileThatIsNotAnImage() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image");

        int exit = run(
                "explain",
                text.toString(),
                "--model-bundle",
                bundleFile.toString(),
                "--out",
                dir.resolve("notes-overlay.png").toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("Can't decode " + text);
    }

    @Test
    void shouldRefuseAMissingBundle() {
        int exit = run(
                "explain",
                imageFile.toString(),
                "--model-bundle",
                dir.resolve("missing.zip").toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("No model bundle at " + dir.resolve("missing.zip"));
    }

    private int run(String... args) {
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
