package io.imgstream.it;

import io.imgstream.cli.ImgstreamCommand;
import io.imgstream.stack.StackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
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

    /** The arguments of {@code imgstream stack up} in {@code workDir} on the ports chosen, the broker's given apart. */
    static List<String> stackUp(Path workDir, StackConfig ports, int brokerPort) {
        return List.of(
                "stack",
                "up",
                "--work-dir",
                workDir.toString(),
                "--broker-port",
                String.valueOf(brokerPort),
                "--controller-port",
                String.valueOf(ports.controllerPort()),
                "--registry-port",
                String.valueOf(ports.registryPort()),
                "--registry-management-port",
                String.valueOf(ports.registryManagementPort()));
    }
}
