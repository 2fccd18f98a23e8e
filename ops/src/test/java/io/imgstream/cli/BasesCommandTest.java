package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.model.bases.KerasApplication;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code imgstream bases}: a real pretrained network imported, listed and shown; pulls refused with one sentence. */
class BasesCommandTest {

    @TempDir
    Path work;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void shouldImportNsfwjsMobileNetV2ThenListAndShowIt() {
        Path store = work.resolve("bases");

        int imported = run("bases", "import", NsfwjsTarball.locate().toString(), "--base-store", store.toString());

        assertThat(imported).as("exit code; stderr: %s", err).isEqualTo(CliException.OK);
        assertThat(out.toString())
                .contains("Stored nsfwjs.mobilenet_v2@")
                .contains("224x224x3, UNIT scaling, NHWC")
                .contains("1280x7x7 at out_relu");
        out.getBuffer().setLength(0);

        assertThat(run("bases", "list", "--base-store", store.toString())).isEqualTo(CliException.OK);
        assertThat(out.toString().lines().toList())
                .hasSize(2)
                .last()
                .asString()
                .startsWith("nsfwjs.mobilenet_v2")
                .contains("mobilenet_v2", "224x224", "1280x7x7", "out_relu");
        out.getBuffer().setLength(0);

        assertThat(run("bases", "show", "nsfwjs.mobilenet_v2", "--base-store", store.toString()))
                .isEqualTo(CliException.OK);
        assertThat(out.toString()).contains("NSFWJS").contains("model         mobilenet_v2");
    }

    @Test
    void shouldSayInOneSentenceWhatToDoWhenTheDownloadHostIsUnreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String mirror = "http://127.0.0.1:" + port + "/keras";

        int exit = run("bases", "pull", "vgg16", "--mirror", mirror, "--base-store", work.toString());

        assertThat(exit).isEqualTo(CliException.FAILED);
        assertThat(err.toString())
                .contains("Could not download vgg16 from " + mirror + "/" + "vgg16/")
                .contains("imgstream bases import " + KerasApplication.VGG16.fileName())
                .contains("--mirror");
    }

    @Test
    void shouldRefuseAMirrorFileThatIsNotTheOneKerasPublishes() throws IOException {
        Path mirror = work.resolve("mirror");
        Path file = mirror.resolve("vgg16").resolve(KerasApplication.VGG16.fileName());
        Files.createDirectories(file.getParent());
        byte[] bytes = new byte[4096];
        new Random(3).nextBytes(bytes);
        Files.write(file, bytes);
        Path store = work.resolve("bases");

        int exit =
                run("bases", "pull", "vgg16", "--mirror", mirror.toUri().toString(), "--base-store", store.toString());

        assertThat(exit).isEqualTo(CliException.FAILED);
        assertThat(err.toString())
                .contains("is not the expected file")
                .contains(KerasApplication.VGG16.md5().orElseThrow());
        assertThat(run("bases", "list", "--base-store", store.toString())).isEqualTo(CliException.OK);
        assertThat(out.toString()).contains("No bases in");
    }

    @Test
    void shouldNameTheKnownBasesForAnUnknownOne() {
        int exit = run("bases", "pull", "alexnet", "--base-store", work.toString());

        assertThat(exit).isEqualTo(CliException.BAD_ARGUMENT);
        assertThat(err.toString()).contains("no Keras application 'alexnet'").contains("inception_v3");
    }

    @Test
    void shouldRefuseAFileThatIsNoNetwork() throws IOException {
        Path text = Files.writeString(work.resolve("notes.txt"), "not a network");

        int exit = run("bases", "import", text.toString(), "--architecture", "vgg16", "--base-store", work.toString());

        assertThat(exit).isEqualTo(CliException.FAILED);
        assertThat(err.toString()).contains("Can't import").contains("not an HDF5 file");
    }

    private int run(String... args) {
        CommandLine commandLine = ImgstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}
