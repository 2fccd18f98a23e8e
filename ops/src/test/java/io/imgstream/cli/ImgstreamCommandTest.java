package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImgstreamCommandTest {

    @TempDir
    Path workDir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldDocumentEveryExitCodeInTheHelp() throws IllegalAccessException {
        Set<Integer> documented =
                ImgstreamCommand.newCommandLine().getCommandSpec().usageMessage().exitCodeList().keySet().stream()
                        .map(key -> Integer.parseInt(key.trim()))
                        .collect(Collectors.toSet());

        Set<Integer> defined = new java.util.HashSet<>();
        for (Field field : CliException.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                defined.add(field.getInt(null));
            }
        }

        assertThat(documented).isEqualTo(defined);
    }

    @Test
    void shouldShowUsageWhenAGroupIsRunWithoutCommand() {
        int exit = run("stack");

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString())
                .contains("Missing a command: choose one of up, down, status, restart")
                .contains("Usage: imgstream stack");
    }

    @Test
    void shouldSayNothingRunsWhenStoppingAnEmptyWorkDir() {
        int exit = run("stack", "down", "--work-dir", workDir.toString());

        assertThat(exit).isEqualTo(CliException.OK);
        assertThat(out.toString()).contains("No stack is running from " + workDir);
    }

    @Test
    void shouldReportNotRunningStatusWithItsExitCode() {
        int exit = run("stack", "status", "--work-dir", workDir.toString());

        assertThat(exit).isEqualTo(CliException.STACK_NOT_RUNNING);
        assertThat(out.toString()).contains("No stack is running from " + workDir, "imgstream stack up");
    }

    @Test
    void shouldSayNoStackIsRecordedWhenRestartingAServerOfNone() {
        int exit = run("stack", "restart", "broker", "--work-dir", workDir.toString());

        assertThat(exit).isEqualTo(CliException.STACK_NOT_RUNNING);
        assertThat(err.toString())
                .contains("No stack is recorded in " + workDir.toAbsolutePath().normalize(), "imgstream stack up");
    }

    @Test
    void shouldNameTheServersARestartAccepts() {
        int exit = run("stack", "restart", "zookeeper", "--work-dir", workDir.toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("Unknown server 'zookeeper': choose broker, registry or connect");
    }

    @Test
    void shouldRejectClashingPortsBeforeStartingAnything() {
        int exit = run(
                "stack", "up", "--work-dir", workDir.toString(), "--broker-port", "20000", "--registry-port", "20000");

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString().lines())
                .containsExactly(
                        "Error: --broker-port and --registry-port are both 20000: give each server its own port");
        assertThat(workDir).isEmptyDirectory();
    }

    @Test
    void shouldRefuseToDeleteAWorkDirHoldingForeignFiles() throws Exception {
        Files.writeString(workDir.resolve("precious.txt"), "keep me");

        int exit = run("stack", "down", "--work-dir", workDir.toString(), "--delete-data");

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("[precious.txt]");
        assertThat(workDir.resolve("precious.txt")).exists();
    }

    @Test
    void shouldShowDefaultsInHelp() {
        run("stack", "up", "--help");

        assertThat(out.toString())
                .contains("--broker-port=PORT", "19092).", "(default: 18081)", "(default: .imgstream)");
        assertThat(Arrays.asList(ImgstreamCommand.newCommandLine()
                        .getSubcommands()
                        .keySet()
                        .toArray()))
                .contains("stack", "topics");
    }

    @Test
    void shouldAnswerHelpOnEveryCommand() {
        List<List<String>> paths = new ArrayList<>();
        collect(ImgstreamCommand.newCommandLine(), new ArrayList<>(), paths);

        assertThat(paths).contains(List.of("train"), List.of("score"), List.of("models", "rollback"));
        for (List<String> path : paths) {
            out.getBuffer().setLength(0);
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            assertThat(run(args.toArray(String[]::new)))
                    .as("imgstream %s --help", String.join(" ", path))
                    .isZero();
            assertThat(out.toString())
                    .as("imgstream %s --help", String.join(" ", path))
                    .contains("Usage: imgstream");
        }
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        command.getSubcommands().forEach((name, sub) -> {
            if (name.equals("help")) {
                return;
            }
            List<String> subPath = new ArrayList<>(path);
            subPath.add(name);
            paths.add(subPath);
            collect(sub, subPath, paths);
        });
    }

    private int run(String... args) {
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
