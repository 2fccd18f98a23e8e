package io.imgstream.cli;

import picocli.CommandLine.Command;

/** Groups the commands that run the local stack; running it alone is a usage error. */
@Command(
        name = "stack",
        mixinStandardHelpOptions = true,
        description = "Run a local single-node Kafka broker and schema registry on 127.0.0.1.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {StackUpCommand.class, StackDownCommand.class, StackStatusCommand.class, StackRestartCommand.class
        })
public final class StackCommand extends GroupCommand {}
