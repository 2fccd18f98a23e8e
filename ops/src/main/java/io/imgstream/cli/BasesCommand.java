package io.imgstream.cli;

import picocli.CommandLine.Command;

/** Groups the commands on the base store; running it alone is a usage error. */
@Command(
        name = "bases",
        mixinStandardHelpOptions = true,
        description = "Pretrained convolutional bases for transfer learning: download the Keras applications' "
                + "ImageNet weights, import Keras, TF.js, nsfwjs or DL4J files, and list what is stored.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {BasesPullCommand.class, BasesImportCommand.class, BasesListCommand.class, BasesShowCommand.class
        })
public final class BasesCommand extends GroupCommand {}
