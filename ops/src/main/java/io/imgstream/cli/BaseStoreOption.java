package io.imgstream.cli;

import io.imgstream.model.bases.BaseStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --base-store} option shared by the {@code bases} commands and {@code fit}. */
public final class BaseStoreOption {

    @Option(
            names = "--base-store",
            paramLabel = "DIR",
            defaultValue = BaseStore.DEFAULT_ROOT,
            description = "Root directory of the base store (default: ${DEFAULT-VALUE}).")
    private Path root;

    /** The store; its directory is created when the first base is added. */
    public BaseStore open() {
        return new BaseStore(root);
    }
}
