package io.imgstream.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The nsfwjs npm tarball (real pretrained MobileNetV2 and InceptionV3) that the model module's build fetched. */
final class NsfwjsTarball {

    private static final String FILE = "nsfwjs-4.4.0.tgz";

    private NsfwjsTarball() {}

    /** The tarball from the model module's test data or the user cache; skips the calling test without it. */
    static Path locate() {
        Path built = Path.of("..", "model", "target", "test-data", FILE);
        Path cached = Path.of(System.getProperty("user.home"), ".cache", "imgstream", FILE);
        Path tarball = Files.isRegularFile(built) ? built : cached;
        assumeTrue(
                Files.isRegularFile(tarball),
                () -> FILE + " is in neither " + built + " nor " + cached
                        + ": run model/src/test/fetch-nsfwjs.sh (needs npm)");
        return tarball;
    }
}
