package io.imgstream.cli;

import picocli.CommandLine.Command;

/** Groups the commands that manage imgstream's Kafka topics; running it alone is a usage error. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Manage imgstream's Kafka topics.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {TopicsCreateCommand.class})
public final class TopicsCommand extends GroupCommand {}
