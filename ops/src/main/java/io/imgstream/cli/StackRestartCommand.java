package io.imgstream.cli;

import io.imgstream.stack.LocalStack;
import io.imgstream.stack.StackComponent;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code imgstream stack restart SERVER}: stops one server of the local stack and starts it again on the same
 * ports and data, to watch running scorers and workers ride out the outage.
 */
@Command(
        name = "restart",
        mixinStandardHelpOptions = true,
        description = "Stop one server of the local stack (broker, registry or connect) and start it again on the "
                + "same ports and data while everything else keeps running. With --down-for it stays down that long "
                + "first, so clients see a real outage.")
public final class StackRestartCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private WorkDirOption workDir;

    @Parameters(index = "0", paramLabel = "SERVER", description = "broker, registry or connect")
    private String server;

    @Option(
            names = "--down-for",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description = "How long the server stays stopped before it starts again (default: ${DEFAULT-VALUE}).")
    private int downSeconds;

    @Override
    public Integer call() throws InterruptedException {
        StackComponent component = component(server);
        if (downSeconds < 0) {
            throw new CliException(
                    "--down-for must be 0 or more seconds, got " + downSeconds, CliException.BAD_ARGUMENT);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean wasRunning = LocalStack.stopServer(workDir.path(), component);
        out.printf(wasRunning ? "Stopped the %s.%n" : "The %s was not running.%n", component.label());
        out.flush();
        Thread.sleep(Duration.ofSeconds(downSeconds).toMillis());
        LocalStack.startServer(workDir.path(), component, out);
        return CliException.OK;
    }

    private static StackComponent component(String name) {
        for (StackComponent component : StackComponent.values()) {
            if (component.label().equals(name.toLowerCase(Locale.ROOT))) {
                return component;
            }
        }
        throw new CliException(
                "Unknown server '" + name + "': choose broker, registry or connect", CliException.BAD_ARGUMENT);
    }
}
