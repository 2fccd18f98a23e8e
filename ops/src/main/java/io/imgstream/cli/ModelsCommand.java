package io.imgstream.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Groups the read-only commands on the filesystem model store; running it alone is a usage error. */
@Command(name = "models",
        mixinStandardHelpOptions = true,
        description = "Inspect the model bundles in a filesystem model store.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {ModelsListCommand.class, ModelsShowCommand.class})
public final class ModelsCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
