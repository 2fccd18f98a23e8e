package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.schemas.RegistryAdmin;
import io.imgstream.stack.StackException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class CliErrorHandlerTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldPrintAKnownFailureAsOneLineWithItsExitCode() {
        int exit = run(new CliException("Couldn't reach X: start it", CliException.BROKER_UNREACHABLE), "boom");

        assertThat(exit).isEqualTo(CliException.BROKER_UNREACHABLE);
        assertThat(err.toString().lines()).containsExactly("Error: Couldn't reach X: start it");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldFindAKnownFailureInsideWrappers() {
        RuntimeException wrapped = new RuntimeException(
                new ExecutionException(new CliException("No local stack is running", CliException.STACK_NOT_RUNNING)));

        int exit = run(wrapped, "boom");

        assertThat(exit).isEqualTo(CliException.STACK_NOT_RUNNING);
        assertThat(err.toString().lines()).containsExactly("Error: No local stack is running");
    }

    @Test
    void shouldGiveEachStackFailureItsOwnExitCode() {
        assertThat(run(new StackException(StackException.Reason.PORT_TAKEN, "Port 1 taken"), "boom"))
                .isEqualTo(CliException.PORT_TAKEN);
        assertThat(run(new StackException(StackException.Reason.JAVA_MISSING, "no Java 21"), "boom"))
                .isEqualTo(CliException.JAVA_MISSING);
        assertThat(run(new StackException(StackException.Reason.ALREADY_RUNNING, "running"), "boom"))
                .isEqualTo(CliException.STACK_ALREADY_RUNNING);
        assertThat(run(new StackException(StackException.Reason.START_FAILED, "died"), "boom"))
                .isEqualTo(CliException.STACK_START_FAILED);
        assertThat(run(new StackException(StackException.Reason.NOT_BUILT, "build"), "boom"))
                .isEqualTo(CliException.NOT_BUILT);
        assertThat(run(new StackException(StackException.Reason.INVALID_CONFIG, "bad port"), "boom"))
                .isEqualTo(CliException.BAD_ARGUMENT);
    }

    @Test
    void shouldTellRegistryUnreachableFromRegistryRefusal() {
        RegistryAdmin.RegistryException unreachable =
                new RegistryAdmin.RegistryException("Couldn't connect", new ConnectException("refused"));
        RegistryAdmin.RegistryException refused = new RegistryAdmin.IncompatibleSchemaException("images-value", "409");

        assertThat(run(unreachable, "boom")).isEqualTo(CliException.REGISTRY_UNREACHABLE);
        assertThat(run(refused, "boom")).isEqualTo(CliException.REGISTRY_REFUSED);
    }

    @Test
    void shouldReportAKafkaTimeoutAsBrokerUnreachable() {
        int exit = run(new TimeoutException("Timed out waiting for a node assignment"), "boom");

        assertThat(exit).isEqualTo(CliException.BROKER_UNREACHABLE);
        assertThat(err.toString()).contains("imgstream stack status");
    }

    @Test
    void shouldPrintAnUnknownFailureWithoutStackTraceUnlessVerbose() {
        int exit = run(new IllegalStateException("kaput"), "boom");

        assertThat(exit).isEqualTo(CliException.UNEXPECTED);
        assertThat(err.toString().lines())
                .containsExactly(
                        "Error: unexpected IllegalStateException: kaput (run again with --verbose for the stack "
                                + "trace)");
    }

    @Test
    void shouldPrintTheStackTraceWithVerboseBeforeOrAfterTheCommand() {
        run(new IllegalStateException("kaput"), "--verbose", "boom");
        String before = err.toString();
        err.getBuffer().setLength(0);
        run(new CliException("known", CliException.FAILED), "boom", "--verbose");

        assertThat(before).contains("java.lang.IllegalStateException: kaput", "\tat ");
        assertThat(err.toString()).startsWith("Error: known").contains("\tat ");
    }

    private int run(RuntimeException failure, String... args) {
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.addSubcommand("boom", new Boom(failure));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Command(name = "boom")
    static final class Boom implements Runnable {
        private final RuntimeException failure;

        Boom(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public void run() {
            throw failure;
        }
    }
}
