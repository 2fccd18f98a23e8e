package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code imgstream label serve}'s settings, checked before it reaches for the broker. */
class LabelServeCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldPrintItsSettingsTable() {
        int exit = run("label", "serve", "--config-reference");

        assertThat(exit).as("stderr: %s", err).isEqualTo(CliException.OK);
        assertThat(out.toString())
                .contains("| `queue.order` | string | `entropy` |")
                .contains("| `budget.per.hour` | int | `0` |")
                .contains("| `fetch.allowed.roots` | list |");
    }

    @Test
    void shouldRefuseABadSettingBeforeConnecting() {
        // No broker listens on port 1: a refusal naming the setting, not "broker unreachable", shows the order.
        int exit = run("label", "serve", "--random-share", "1.5", "--bootstrap-servers", "127.0.0.1:1");

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("queue.random.share");
    }

    @Test
    void shouldRefuseTheFileSystemRootAsAnImageRoot() {
        int exit = run("label", "serve", "--allowed-root", "/", "--bootstrap-servers", "127.0.0.1:1");

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("fetch.allowed.roots");
    }

    @Test
    void shouldStillSendOneLabelWithoutTheSubcommand() {
        // 'label ID LABEL' keeps working beside 'label serve': without a broker it fails to send, not to parse.
        int exit = run("label", "img-1", "Sandal", "--bootstrap-servers", "127.0.0.1:1");

        assertThat(exit).as("stderr: %s", err).isEqualTo(CliException.BROKER_UNREACHABLE);
    }

    private int run(String... args) {
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
