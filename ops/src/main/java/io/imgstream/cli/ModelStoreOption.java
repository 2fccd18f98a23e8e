package io.imgstream.cli;

import io.imgstream.model.bundle.FileSystemModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --store} option shared by the {@code models} commands. */
public final class ModelStoreOption {

    /** Where {@code imgstream demo}, the training worker and scorers keep models, relative to the current directory. */
    public static final String DEFAULT_STORE = FileSystemModelStore.DEFAULT_ROOT;

    @Option(
            names = "--store",
            paramLabel = "DIR",
            defaultValue = DEFAULT_STORE,
            description = "Root directory of the filesystem model store (default: ${DEFAULT-VALUE}).")
    private Path store;

    /**
     * Opens the store for reading.
     *
     * @return the store
     * @throws CliException with {@link CliException#BAD_ARGUMENT} if the directory does not exist
     */
    public FileSystemModelStore open() {
        Path root = store.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new CliException(
                    "No model store at " + root + ": pass --store DIR, or create models with 'imgstream demo'",
                    CliException.BAD_ARGUMENT);
        }
        return new FileSystemModelStore(root);
    }
}
