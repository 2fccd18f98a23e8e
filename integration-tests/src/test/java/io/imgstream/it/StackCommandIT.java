package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.cli.CliException;
import io.imgstream.cli.ImgstreamCommand;
import io.imgstream.demo.DemoModel;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicSnapshot;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.SplitHint;
import io.imgstream.stack.FreePorts;
import io.imgstream.stack.LocalStack;
import io.imgstream.stack.StackConfig;
import io.imgstream.stack.StackState;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
        assertThat(up.out())
                .as(up.toString())
                .contains(
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
        assertThat(status.out().lines())
                .as(status.toString())
                .hasSize(2)
                .anySatisfy(line ->
                        assertThat(line).startsWith("broker").contains(" up ", "127.0.0.1:" + ports.brokerPort()))
                .anySatisfy(line -> assertThat(line).startsWith("registry").contains(" up ", ports.registryUrl()));

        Run down = run("stack", "down", "--work-dir", workDir.toString());
        assertThat(down.exitCode()).as(down.toString()).isEqualTo(CliException.OK);
        assertThat(down.out())
                .contains(
                        "Stopped the broker (pid " + state.brokerPid(),
                        "Stopped the registry (pid " + state.registryPid());
        assertThat(List.of(state.brokerPid(), state.registryPid()))
                .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                        .as("process %d after down", pid)
                        .isEmpty());
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
            assertThat(up.err().lines())
                    .as(up.toString())
                    .containsExactly("Error: Port " + taken
                            + " on 127.0.0.1 is already in use: stop what listens there, or choose another "
                            + "with --broker-port");
            assertThat(StackState.read(workDir)).isEmpty();
        }
    }

    @Test
    void shouldRunAConnectWorkerWithTheConnectorsWhenAsked() throws Exception {
        int connectPort = FreePorts.pick(5)[4];
        List<String> up = new ArrayList<>(List.of(upArguments(ports.brokerPort())));
        up.addAll(List.of("--connect", "--connect-port", String.valueOf(connectPort)));
        Run started = run(up.toArray(String[]::new));
        assertThat(started.exitCode()).as(started.toString()).isEqualTo(CliException.OK);
        String connectUrl = "http://127.0.0.1:" + connectPort;
        assertThat(started.out()).contains("Kafka Connect       " + connectUrl);
        Path images = Files.createDirectories(
                workDir.resolve("images").resolve("train").resolve("bags"));
        DemoModel.extractDemoImages(workDir.resolve("demo"));
        Files.copy(workDir.resolve("demo").resolve("0030-bag.jpg"), images.resolve("bag.jpg"));

        Run create = run(
                "connect",
                "create",
                "folders",
                "--type",
                "image-folder",
                "--connect-url",
                connectUrl,
                "--registry-url",
                ports.registryUrl(),
                "--set",
                "roots=" + workDir.resolve("images"),
                "--set",
                "poll.interval.ms=500");
        assertThat(create.exitCode()).as(create.toString()).isZero();
        await("a label from the folder")
                .atMost(Duration.ofSeconds(60))
                .until(() -> TopicSnapshot.latestByKey(
                                ScoringFixture.clientProperties(ports.bootstrapServers()),
                                RegistrySerdes.forRegistry(ports.registryUrl()),
                                "feedback",
                                LabelFeedback.class,
                                Duration.ofSeconds(10))
                        .values()
                        .stream()
                        .anyMatch(label ->
                                label.getLabel().toString().equals("bags") && label.getSplit() == SplitHint.TRAIN));
        Run status = run("connect", "status", "--connect-url", connectUrl);
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("folders").contains("RUNNING");
        Run bad = run(
                "connect",
                "create",
                "nowhere",
                "--type",
                "image-folder",
                "--connect-url",
                connectUrl,
                "--set",
                "roots=/no/such/dir");
        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(CliException.FAILED);
        assertThat(bad.err()).contains("not a readable directory");
        Run stackStatus = run("stack", "status", "--work-dir", workDir.toString());
        assertThat(stackStatus.out().lines())
                .anySatisfy(line -> assertThat(line).startsWith("connect").contains(" up "));

        long connectPid = StackState.read(workDir).orElseThrow().connectPid();
        Run down = run("stack", "down", "--work-dir", workDir.toString());
        assertThat(down.out()).contains("(pid " + connectPid);
        assertThat(ProcessHandle.of(connectPid).filter(ProcessHandle::isAlive)).isEmpty();
        Run unreachable = run("connect", "status", "--connect-url", connectUrl);
        assertThat(unreachable.exitCode()).isEqualTo(CliException.FAILED);
        assertThat(unreachable.err()).contains("no Kafka Connect worker answers", "imgstream stack up --connect");
    }

    private String[] upArguments(int brokerPort) {
        return CliRun.stackUp(workDir, ports, brokerPort).toArray(String[]::new);
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
            return "imgstream " + String.join(" ", args) + " -> exit " + exitCode + "\n--- out:\n" + out + "--- err:\n"
                    + err;
        }
    }
}
