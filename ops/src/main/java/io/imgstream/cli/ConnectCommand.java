package io.imgstream.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Groups the commands on the Kafka Connect worker's connectors; running it alone is a usage error. */
@Command(name = "connect",
        mixinStandardHelpOptions = true,
        description = "Create, inspect and delete the imgstream connectors on a Kafka Connect worker.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {ConnectCreateCommand.class, ConnectStatusCommand.class, ConnectDeleteCommand.class})
public final class ConnectCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
