package io.imgstream.cli.bench;

import io.imgstream.cli.WorkDirOption;
import io.imgstream.stack.LocalStack;
import io.imgstream.stack.RunningStack;
import io.imgstream.stack.StackConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What every scoring benchmark is set up with: the network it scores with and the local stack it runs on (the one
 * running from the work directory, else one started for it).
 */
final class BenchSetup {

    @Mixin
    private WorkDirOption workDir;

    @Mixin
    private BenchNetworkOptions network;

    @Option(names = "--stop-stack", description = "Stop the local stack at the end if this command started it.")
    private boolean stopStack;

    /** A measurement on a running stack. */
    @FunctionalInterface
    interface Measurement<T> {
        T run(RunningStack stack) throws Exception;
    }

    /** The network options. */
    BenchNetworkOptions network() {
        return network;
    }

    /** The benchmark's own directory {@code name} under the work directory. */
    Path directory(String name) {
        return workDir.path().resolve(name);
    }

    /** Runs {@code measurement} on the stack of the work directory, starting it first if none answers there. */
    <T> T run(PrintWriter progress, Measurement<T> measurement) throws Exception {
        Optional<RunningStack> running = LocalStack.find(workDir.path());
        RunningStack stack =
                running.isPresent() ? running.get() : LocalStack.start(StackConfig.defaults(workDir.path()), progress);
        try {
            return measurement.run(stack);
        } finally {
            if (stopStack && running.isEmpty()) {
                stack.stop();
            }
        }
    }
}
