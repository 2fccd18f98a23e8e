package io.imgstream.cli;

import picocli.CommandLine.Command;

/** Groups the commands on the model store and the control topic; running it alone is a usage error. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = "Inspect the model bundles in a filesystem model store, and announce them on the control topic.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            ModelsListCommand.class,
            ModelsShowCommand.class,
            ModelsPromoteCommand.class,
            ModelsRollbackCommand.class,
            ModelsKeygenCommand.class
        })
public final class ModelsCommand extends GroupCommand {}
