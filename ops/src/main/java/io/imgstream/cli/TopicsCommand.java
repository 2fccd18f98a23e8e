package io.imgstream.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Groups the commands that manage imgstream's Kafka topics; running it alone is a usage error. */
@Command(name = "topics",
        mixinStandardHelpOptions = true,
        description = "Manage imgstream's Kafka topics.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {TopicsCreateCommand.class})
public final class TopicsCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a command: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
