package io.imgstream.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Groups the commands on the model store and the control topic; running it alone is a usage error. */
@Command(name = "models",
        mixinStandardHelpOptions = true,
        description = "Inspect the model bundles in a filesystem model store, and announce them on the control topic.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {ModelsListCommand.class, ModelsShowCommand.class, ModelsPromoteCommand.class,
            ModelsRollbackCommand.class, ModelsKeygenCommand.class})
public final class ModelsCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
