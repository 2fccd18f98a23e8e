package io.imgstream.cli.bench;

import io.imgstream.stack.LocalStack;
import io.imgstream.stack.RunningStack;
import io.imgstream.stack.StackConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The local stack a scoring benchmark runs on: the one running from the work directory, else one started for it. */
final class BenchStack {

    @Option(names = "--stop-stack", description = "Stop the local stack at the end if this command started it.")
    private boolean stopStack;

    /** A measurement on a running stack. */
    @FunctionalInterface
    interface Measurement<T> {
        T run(RunningStack stack) throws Exception;
    }

    /** Runs {@code measurement} on the stack of {@code workDir}, starting it first if none answers there. */
    <T> T run(Path workDir, PrintWriter progress, Measurement<T> measurement) throws Exception {
        Optional<RunningStack> running = LocalStack.find(workDir);
        RunningStack stack = running.isPresent() ? running.get() : LocalStack.start(StackConfig.defaults(workDir), progress);
        try {
            return measurement.run(stack);
        } finally {
            if (stopStack && running.isEmpty()) {
                stack.stop();
            }
        }
    }
}
