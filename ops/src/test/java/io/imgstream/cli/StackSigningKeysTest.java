package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.control.SigningKeyFiles;
import io.imgstream.stack.StackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Signing is on wherever {@code imgstream stack up} made its key pair: {@code score} and {@code train} take the
 * stack's keys when their settings name none. Seen without a broker: a stack key that is not a key fails the
 * configuration, naming the setting it was given to.
 */
class StackSigningKeysTest {

    /** Nothing listens there: a command that gets past its configuration stops at the broker check. */
    private static final String NO_BROKER = "127.0.0.1:1";

    @TempDir
    Path workDir;

    private SigningKeyFiles keys;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void damagedStackKeys() throws Exception {
        keys = SigningKeyFiles.in(workDir.resolve(StackConfig.SIGNING_KEYS_DIR));
        Files.createDirectories(keys.privateKey().getParent());
        Files.writeString(keys.privateKey(), "not a key\n");
        Files.writeString(keys.publicKey(), "not a key\n");
    }

    @Test
    void shouldCheckAnnouncementsWithTheStacksPublicKey() {
        int exit =
                run("score", "--work-dir", workDir.toString(), "--model-name", "m", "--bootstrap-servers", NO_BROKER);

        assertThat(exit).as(err.toString()).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString())
                .contains("model.signature.public.key", keys.publicKey().toString());
    }

    @Test
    void shouldSignAnnouncementsWithTheStacksPrivateKey() {
        int exit = run(
                "train",
                "--work-dir",
                workDir.toString(),
                "--model-name",
                "m",
                "--base-weights",
                workDir.resolve("vgg16.h5").toString(),
                "--bootstrap-servers",
                NO_BROKER);

        assertThat(exit).as(err.toString()).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString())
                .contains("model.signature.private.key", keys.privateKey().toString());
    }

    @Test
    void shouldLeaveAKeyTheSettingsNameAlone() {
        int exit = run(
                "score",
                "--work-dir",
                workDir.toString(),
                "--model-name",
                "m",
                "--bootstrap-servers",
                NO_BROKER,
                "--set",
                "model.signature.public.key=");

        assertThat(exit).as(err.toString()).isEqualTo(CliException.BROKER_UNREACHABLE);
    }

    @Test
    void shouldUseNoKeyWhereTheStackMadeNone() throws Exception {
        Files.delete(keys.privateKey());
        Files.delete(keys.publicKey());

        int exit =
                run("score", "--work-dir", workDir.toString(), "--model-name", "m", "--bootstrap-servers", NO_BROKER);

        assertThat(exit).as(err.toString()).isEqualTo(CliException.BROKER_UNREACHABLE);
    }

    private int run(String... args) {
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
