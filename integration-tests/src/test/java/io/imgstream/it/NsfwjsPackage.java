package io.imgstream.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

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
}
