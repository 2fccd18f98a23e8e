package io.imgstream.clients.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Finds image files in the paths a user names: files as given, folders walked recursively by extension. */
public final class ImageFiles {

    /** Extensions treated as images when walking a folder; files named explicitly are taken whatever their name. */
    public static final Set<String> IMAGE_EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "gif", "bmp", "wbmp", "tif", "tiff");

    private ImageFiles() {}

    /**
     * The image files under {@code paths}, in a stable order (each folder's files sorted by path).
     *
     * @throws NoSuchFileException if a path does not exist
     */
    public static List<Path> find(List<Path> paths) throws NoSuchFileException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.exists(path)) {
                throw new NoSuchFileException(path.toString(), null, "no such file or folder");
            }
            if (Files.isDirectory(path)) {
                files.addAll(walk(path));
            } else {
                files.add(path.toAbsolutePath().normalize());
            }
        }
        return files;
    }

    private static List<Path> walk(Path folder) {
        try (Stream<Path> tree = Files.walk(folder)) {
            return tree.filter(Files::isRegularFile)
                    .filter(ImageFiles::hasImageExtension)
                    .map(p -> p.toAbsolutePath().normalize())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasImageExtension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
