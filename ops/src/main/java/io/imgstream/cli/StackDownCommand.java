package io.imgstream.cli;

import io.imgstream.stack.LocalStack;
import io.imgstream.stack.StackConfig;
import io.imgstream.stack.StackState;
import io.imgstream.stack.StackStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imgstream stack down}: stops the processes recorded by {@code stack up}. */
@Command(
        name = "down",
        mixinStandardHelpOptions = true,
        description = "Stop the local broker and registry started by 'imgstream stack up' from the same work "
                + "directory. Only the recorded processes are stopped; nothing running is fine.")
public final class StackDownCommand implements Callable<Integer> {

    private static final Set<String> STACK_ENTRIES = Set.of(
            "kafka",
            "registry",
            "connect",
            "logs",
            StackConfig.SIGNING_KEYS_DIR,
            StackConfig.SECURE_CLIENT_CONFIG,
            StackState.FILE_NAME,
            StackState.FILE_NAME + ".tmp");

    @Spec
    private CommandSpec spec;

    @Mixin
    private WorkDirOption workDir;

    @Option(
            names = "--delete-data",
            description = "Also delete the work directory (Kafka data, logs and the signing key pair), so the next "
                    + "start is fresh.")
    private boolean deleteData;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<StackStatus.Component> stopped = LocalStack.stop(workDir.path());
        if (stopped.isEmpty()) {
            out.printf("No stack is running from %s.%n", workDir.path());
        }
        for (StackStatus.Component component : stopped) {
            out.printf(
                    "Stopped the %s (pid %d, %s).%n",
                    component.component().label(), component.pid(), component.address());
        }
        if (deleteData) {
            deleteRecursively(workDir.path());
            out.printf("Deleted %s.%n", workDir.path());
        }
        out.flush();
        return CliException.OK;
    }

    // Refuses a directory holding anything the stack did not write, so a mistyped --work-dir deletes nothing else.
    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> foreign = entries.map(path -> path.getFileName().toString())
                    .filter(name -> !STACK_ENTRIES.contains(name))
                    .sorted()
                    .toList();
            if (!foreign.isEmpty()) {
                throw new CliException(
                        dir + " holds files the stack did not create " + foreign
                                + ": it may not be a stack work directory, so delete it yourself if you mean to",
                        CliException.BAD_ARGUMENT);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }
}
