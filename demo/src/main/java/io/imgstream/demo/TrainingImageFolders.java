package io.imgstream.demo;

import io.imgstream.model.training.LabeledImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The shipped Fashion-MNIST training subset as a folder-per-class tree of PNG files, the layout {@code imgstream
 * fit} reads, so transfer learning can be tried on real labeled images without a download.
 *
 * <p>Each class gets a folder named by {@link #folderName(String)} ({@code T-shirt/top} becomes {@code
 * t-shirt-top}), the same names the shipped demo test images carry, so labels taken from those file names match
 * the classes of a model fitted on the tree. Files are {@code NNNN.png}, numbered by the image's position in the
 * shipped subset: 28 x 28 grey, pixel for pixel the shipped data.
 *
 * <p>Stateless and thread-safe.
 */
public final class TrainingImageFolders {

    private TrainingImageFolders() {}

    /**
     * Writes the first {@code perClass} shipped training images of every class.
     *
     * @param targetDir the tree's root; created if missing, refused if it holds anything, so images of an
     *                  earlier, larger export never mix into a smaller one
     * @param perClass  images per class, 1 to {@value DemoModel#SHIPPED_PER_CLASS}
     * @return images written per folder name, in label order
     * @throws IllegalArgumentException if {@code perClass} is out of range or {@code targetDir} is not an empty
     *                                  directory
     * @throws UncheckedIOException     if a file can't be written
     */
    public static Map<String, Integer> write(Path targetDir, int perClass) {
        Objects.requireNonNull(targetDir, "targetDir");
        if (perClass < 1 || perClass > DemoModel.SHIPPED_PER_CLASS) {
            throw new IllegalArgumentException("images per class must be between 1 and " + DemoModel.SHIPPED_PER_CLASS
                    + " (what the demo ships), was " + perClass);
        }
        requireEmptyOrAbsent(targetDir);
        List<String> classes = DemoModel.classes();
        LabeledImages shipped = DemoModel.trainingSubset();
        int[] written = new int[classes.size()];
        try {
            for (String className : classes) {
                Files.createDirectories(targetDir.resolve(folderName(className)));
            }
            for (int i = 0; i < shipped.count(); i++) {
                int label = shipped.label(i);
                if (written[label] == perClass) {
                    continue;
                }
                Path file = targetDir
                        .resolve(folderName(classes.get(label)))
                        .resolve(String.format(Locale.ROOT, "%04d.png", i));
                if (!ImageIO.write(shipped.image(i), "png", file.toFile())) {
                    throw new IllegalStateException("this JVM has no PNG writer");
                }
                written[label]++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the demo training images to " + targetDir, e);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            counts.put(folderName(classes.get(c)), written[c]);
        }
        return counts;
    }

    /**
     * Names a class's folder: lower case, every run of characters other than ASCII letters and digits made one
     * hyphen, so the name is safe on every file system.
     *
     * @param className a class name, e.g. {@code "T-shirt/top"}
     * @return e.g. {@code "t-shirt-top"}
     */
    public static String folderName(String className) {
        String name = className.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        return name.replaceAll("^-|-$", "");
    }

    private static void requireEmptyOrAbsent(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException(
                        dir + " is not empty; write the images to a new directory, or remove this one first");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + dir, e);
        }
    }
}
