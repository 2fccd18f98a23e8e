package io.imgstream.cli;

import io.imgstream.stack.StackConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --work-dir} option shared by the {@code stack} commands. */
public final class WorkDirOption {

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            defaultValue = StackConfig.DEFAULT_WORK_DIR,
            description = "Directory of the stack's data, logs and state file, relative to the current directory "
                    + "(default: ${DEFAULT-VALUE}).")
    private Path workDir;

    /** The work directory, absolute. */
    public Path path() {
        return workDir.toAbsolutePath().normalize();
    }
}
