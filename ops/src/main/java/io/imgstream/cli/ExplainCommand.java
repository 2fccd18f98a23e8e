package io.imgstream.cli;

import io.imgstream.images.decode.ImageDecodeException;
import io.imgstream.images.decode.ImageDecoder;
import io.imgstream.images.decode.ImageLimits;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleFormatException;
import io.imgstream.model.bundle.BundleNotFoundException;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.explain.GradCam;
import io.imgstream.model.explain.Heatmap;
import io.imgstream.model.explain.HeatmapOverlay;
import io.imgstream.model.preprocess.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream explain}: classifies one image file with a bundle and writes a Grad-CAM heatmap
 * overlay as a PNG, using the same decoder and preprocessing as the scorer.
 */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        description =
                "Classify one image with a model bundle and write a Grad-CAM heatmap of where the network looked, "
                        + "blended over the image as a PNG. Prints the top classes and the PNG's path.")
public final class ExplainCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "IMAGE",
            description = "Image file: JPEG, PNG, GIF or BMP (e.g. 'shirt.png').")
    private Path image;

    @Option(
            names = "--model-bundle",
            paramLabel = "FILE",
            required = true,
            description = "Model bundle zip (e.g. '.imgstream/models/fashion-demo/v1/bundle.zip').")
    private Path bundleFile;

    @Option(
            names = "--layer",
            paramLabel = "NAME",
            description = "Convolution layer to explain; repeat it to add several layers' maps into one, as a bundle "
                    + "of several bases does by default, one layer per base (default: the network's last "
                    + "convolution layer).")
    private List<String> layers = List.of();

    @Option(names = "--class", paramLabel = "LABEL", description = "Class to explain (default: the most probable one).")
    private String label;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            defaultValue = "overlay.png",
            description = "PNG file to write; replaced if it exists (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(
            names = "--top",
            paramLabel = "N",
            defaultValue = "3",
            description = "How many of the most probable classes to print (default: ${DEFAULT-VALUE}).")
    private int top;

    @Override
    public Integer call() throws IOException {
        ModelBundle bundle = readBundle();
        List<String> classes = bundle.manifest().classes();
        Preprocessing preprocessing = bundle.manifest().preprocessing();
        BufferedImage decoded = decode();
        int classIndex = -1;
        if (label != null) {
            classIndex = classes.indexOf(label);
            if (classIndex < 0) {
                throw badArgument(
                        "The bundle has no class '" + label + "'; its classes are " + String.join(", ", classes));
            }
        }
        List<String> explained = !layers.isEmpty()
                ? layers
                : GradCam.defaultLayers(
                        bundle.network(), Optional.ofNullable(bundle.manifest().bottleneckLayer()));
        if (explained.isEmpty()) {
            throw badArgument("The bundle's network has no channels-first convolution layer; "
                    + "pass --layer with a layer that has [1, channels, height, width] activations");
        }
        Heatmap heatmap;
        try {
            heatmap = new GradCam(preprocessing).explain(bundle.network(), decoded, explained, classIndex);
        } catch (IllegalArgumentException e) {
            throw badArgument("Can't explain '" + String.join("', '", explained) + "': " + e.getMessage()
                    + "; pass --layer with a convolution layer of the network");
        }
        float[] probabilities = bundle.predict(preprocessing.toBatch(List.of(decoded)))[0];
        Path target = out.toAbsolutePath().normalize();
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        HeatmapOverlay.writePng(decoded, heatmap, target);

        PrintWriter writer = spec.commandLine().getOut();
        IntStream.range(0, classes.size())
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> probabilities[i])
                        .reversed())
                .limit(Math.max(1, top))
                .forEach(i -> writer.printf(Locale.ROOT, "%-20s %.4f%n", classes.get(i), probabilities[i]));
        writer.printf(
                Locale.ROOT,
                "Grad-CAM of class '%s' (p=%.4f) on %s '%s' written to %s%n",
                classes.get(heatmap.classIndex()),
                heatmap.classProbability(),
                heatmap.layers().size() == 1 ? "layer" : "layers",
                String.join("', '", heatmap.layers()),
                target);
        writer.flush();
        return CliException.OK;
    }

    private ModelBundle readBundle() {
        try {
            return BundleFile.readUnverified(bundleFile);
        } catch (BundleNotFoundException e) {
            throw badArgument("No model bundle at " + bundleFile.toAbsolutePath() + ": pass --model-bundle FILE "
                    + "('imgstream models list' shows the stored ones)");
        } catch (BundleFormatException e) {
            throw new CliException("Bundle " + bundleFile + " is corrupt: " + e.getMessage(), CliException.FAILED, e);
        }
    }

    private BufferedImage decode() throws IOException {
        ImageLimits limits = ImageLimits.defaults();
        try {
            // Checked before reading so that a huge file is refused without loading it into memory.
            long size = Files.size(image);
            if (size > limits.maxBytes()) {
                throw badArgument("Image " + image + " has " + size + " bytes, more than the " + limits.maxBytes()
                        + " the scorer accepts; resize it first");
            }
            return new ImageDecoder(limits).decode(Files.readAllBytes(image));
        } catch (NoSuchFileException e) {
            throw badArgument("No image file at " + image.toAbsolutePath());
        } catch (ImageDecodeException e) {
            throw new CliException("Can't decode " + image + ": " + e.getMessage(), CliException.BAD_ARGUMENT, e);
        }
    }

    private static CliException badArgument(String message) {
        return new CliException(message, CliException.BAD_ARGUMENT);
    }
}
