package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imgstream.cli.ImgstreamCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** The npm package {@code nsfwjs@4.4.0}, the real pretrained networks the build fetches for the tests. */
final class NsfwjsPackage {

    private static final String TARBALL = "nsfwjs-4.4.0.tgz";

    private NsfwjsPackage() {}

    /** The tarball the model module's build fetched (fetch-nsfwjs.sh), or the user cache's; skips without it. */
    static Path tarball() {
        Path built = Path.of("..", "model", "target", "test-data", TARBALL);
        Path cached = Path.of(System.getProperty("user.home"), ".cache", "imgstream", TARBALL);
        Path tarball = Files.isRegularFile(built) ? built : cached;
        assumeTrue(
                Files.isRegularFile(tarball),
                () -> TARBALL + " is in neither " + built + " nor " + cached
                        + ": run model/src/test/fetch-nsfwjs.sh (needs npm)");
        return tarball;
    }

    /**
     * Stores a network of the package as a base the way a user does, with {@code imgstream bases import}; fails with
     * the command's output unless it succeeds.
     *
     * @param store   the base store
     * @param options more options of the command: a model, a cut, a name
     */
    static void importThroughTheCli(Path store, String... options) {
        StringWriter output = new StringWriter();
        CommandLine cli = ImgstreamCommand.newCommandLine();
        cli.setOut(new PrintWriter(output, true));
        cli.setErr(new PrintWriter(output, true));
        List<String> args =
                new ArrayList<>(List.of("bases", "import", tarball().toString(), "--base-store", store.toString()));
        args.addAll(List.of(options));
        assertThat(cli.execute(args.toArray(String[]::new)))
                .as(output.toString())
                .isZero();
    }
}
