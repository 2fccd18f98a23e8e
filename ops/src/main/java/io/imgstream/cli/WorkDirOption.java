package io.imgstream.cli;

import io.imgstream.control.SigningKeyFiles;
import io.imgstream.stack.StackConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --work-dir} option: the local stack's work directory, shared by the {@code stack} commands and by the
 * commands that publish or check model announcements with the stack's signing key pair.
 */
public final class WorkDirOption {

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            defaultValue = StackConfig.DEFAULT_WORK_DIR,
            description = "Directory of the local stack's data, logs, state file and signing key pair ("
                    + StackConfig.SIGNING_KEYS_DIR + "/), relative to the current directory (default: "
                    + "${DEFAULT-VALUE}).")
    private Path workDir;

    /** The work directory, absolute. */
    public Path path() {
        return workDir.toAbsolutePath().normalize();
    }

    /** The stack's key pair for signing announcements, made by {@code stack up}; the files may not exist. */
    public SigningKeyFiles signingKeys() {
        return SigningKeyFiles.in(path().resolve(StackConfig.SIGNING_KEYS_DIR));
    }
}
