package io.imgstream.it;

import io.imgstream.cli.ImgstreamCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * One {@code imgstream} command run in the test JVM, as a user would type it, with what it printed.
 *
 * @param exitCode the command's exit code
 * @param out      its standard output
 * @param err      its standard error
 */
record CliRun(int exitCode, String out, String err) {

    /** Runs {@code imgstream <arguments>} and waits for it to return. */
    static CliRun execute(List<String> arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(arguments.toArray(String[]::new));
        return new CliRun(exitCode, out.toString(), err.toString());
    }
}
