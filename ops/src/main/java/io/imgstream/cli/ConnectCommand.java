package io.imgstream.cli;

import picocli.CommandLine.Command;

/** Groups the commands on the Kafka Connect worker's connectors; running it alone is a usage error. */
@Command(
        name = "connect",
        mixinStandardHelpOptions = true,
        description = "Create, inspect and delete the imgstream connectors on a Kafka Connect worker.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {ConnectCreateCommand.class, ConnectStatusCommand.class, ConnectDeleteCommand.class})
public final class ConnectCommand extends GroupCommand {}
