package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.cli.CliException;
import io.imgstream.cli.ImgstreamCommand;
import io.imgstream.cli.stack.LocalStack;
import io.imgstream.cli.stack.StackConfig;
import io.imgstream.cli.stack.StackState;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code imgstream stack up|status|down} through picocli, on a real broker and registry on free ports. */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StackCommandIT {

    private Path workDir;
    private StackConfig ports;

    @BeforeEach
    void createWorkDir() throws IOException {
        workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "stacks")), "StackCommandIT-");
        ports = StackConfig.withFreePorts(workDir);
    }

    @AfterEach
    void stopWhateverATestLeftRunning() {
        LocalStack.stop(workDir);
    }

    @Test
    void shouldStartReportAndStopTheStack() {
        Run up = run(upArguments(ports.brokerPort()));

        assertThat(up.exitCode()).as(up.toString()).isEqualTo(CliException.OK);
        assertThat(up.out()).as(up.toString()).contains(
                "bootstrap servers   127.0.0.1:" + ports.brokerPort(),
                "schema registry     http://127.0.0.1:" + ports.registryPort(),
                "http://127.0.0.1:" + ports.registryPort() + "/apis/registry/v3",
                "http://127.0.0.1:" + ports.registryPort() + "/apis/ccompat/v7",
                "9 topics created");
        StackState state = StackState.read(workDir).orElseThrow();

        Run again = run(upArguments(ports.brokerPort()));
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(CliException.STACK_ALREADY_RUNNING);
        assertThat(again.err()).contains("already running", "imgstream stack down");

        Run status = run("stack", "status", "--work-dir", workDir.toString());
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(CliException.OK);
        assertThat(status.out().lines()).as(status.toString()).hasSize(2)
                .anySatisfy(line -> assertThat(line).startsWith("broker").contains(" up ", "127.0.0.1:" + ports.brokerPort()))
                .anySatisfy(line -> assertThat(line).startsWith("registry").contains(" up ", ports.registryUrl()));

        Run down = run("stack", "down", "--work-dir", workDir.toString());
        assertThat(down.exitCode()).as(down.toString()).isEqualTo(CliException.OK);
        assertThat(down.out()).contains("Stopped the broker (pid " + state.brokerPid(),
                "Stopped the registry (pid " + state.registryPid());
        assertThat(List.of(state.brokerPid(), state.registryPid()))
                .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                        .as("process %d after down", pid).isEmpty());
        assertThat(StackState.read(workDir)).isEmpty();

        Run statusAfter = run("stack", "status", "--work-dir", workDir.toString());
        assertThat(statusAfter.exitCode()).isEqualTo(CliException.STACK_NOT_RUNNING);
        Run downAgain = run("stack", "down", "--work-dir", workDir.toString());
        assertThat(downAgain.exitCode()).isEqualTo(CliException.OK);
        assertThat(downAgain.out()).contains("No stack is running");
    }

    @Test
    void shouldRefuseATakenPortWithAClearMessage() throws IOException {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int taken = squatter.getLocalPort();

            Run up = run(upArguments(taken));

            assertThat(up.exitCode()).as(up.toString()).isEqualTo(CliException.PORT_TAKEN);
            assertThat(up.err().lines()).as(up.toString()).containsExactly("Error: Port " + taken
                    + " on 127.0.0.1 is already in use: stop what listens there, or choose another with --broker-port");
            assertThat(StackState.read(workDir)).isEmpty();
        }
    }

    private String[] upArguments(int brokerPort) {
        return new String[] {"stack", "up", "--work-dir", workDir.toString(),
            "--broker-port", String.valueOf(brokerPort),
            "--controller-port", String.valueOf(ports.controllerPort()),
            "--registry-port", String.valueOf(ports.registryPort()),
            "--registry-management-port", String.valueOf(ports.registryManagementPort())};
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(List.of(args), exitCode, out.toString(), err.toString());
    }

    /** One command run, printable in assertion messages. */
    private record Run(List<String> args, int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "imgstream " + String.join(" ", args) + " -> exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }
}
