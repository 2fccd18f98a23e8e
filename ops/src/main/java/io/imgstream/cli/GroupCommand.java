package io.imgstream.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that only groups its subcommands: run alone, it is a usage error that names them. */
abstract class GroupCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public final void run() {
        throw new ParameterException(
                spec.commandLine(),
                "Missing a command: choose one of "
                        + String.join(", ", spec.subcommands().keySet()));
    }
}
