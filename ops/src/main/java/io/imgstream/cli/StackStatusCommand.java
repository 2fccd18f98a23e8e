package io.imgstream.cli;

import io.imgstream.stack.LocalStack;
import io.imgstream.stack.StackStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imgstream stack status}: shows whether each server of the local stack answers. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show whether the local broker and registry are up and where they listen. Exits with "
                + CliException.STACK_NOT_RUNNING + " unless both answer.")
public final class StackStatusCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private WorkDirOption workDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        StackStatus status = LocalStack.status(workDir.path());
        if (!status.recorded()) {
            out.printf("No stack is running from %s: start one with 'imgstream stack up'.%n", status.workDir());
            out.flush();
            return CliException.STACK_NOT_RUNNING;
        }
        for (StackStatus.Component component : status.components()) {
            out.printf(
                    "%-9s %-14s %-26s pid %d%n",
                    component.component().label(), state(component), component.address(), component.pid());
        }
        if (!status.allReady()) {
            out.printf(
                    "Not all of the stack is up: see the logs in %s, or restart it with 'imgstream stack down' "
                            + "then 'imgstream stack up'.%n",
                    status.workDir().resolve("logs"));
        }
        out.flush();
        return status.allReady() ? CliException.OK : CliException.STACK_NOT_RUNNING;
    }

    private static String state(StackStatus.Component component) {
        if (component.ready()) {
            return "up";
        }
        return component.alive() ? "not answering" : "down";
    }
}
