package io.imgstream.model.weights;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the test data that {@code model/src/test/fetch-nsfwjs.sh} fetches before the tests run. */
public final class TestData {

    static final String NSFWJS_TARBALL = "nsfwjs-4.4.0.tgz";
    private static final String TEST_DATA_DIR_PROPERTY = "imgstream.test-data.dir";

    private TestData() {}

    /**
     * The nsfwjs tarball from Maven's test-data dir or the user cache; skips the calling test (with the
     * command that fetches it) when neither has it, e.g. on a machine without npm.
     */
    public static Path nsfwjsTarball() {
        Path dir = Path.of(System.getProperty(TEST_DATA_DIR_PROPERTY, "target/test-data"));
        Path cached = Path.of(System.getProperty("user.home"), ".cache", "imgstream", NSFWJS_TARBALL);
        Path tarball = Files.isRegularFile(dir.resolve(NSFWJS_TARBALL)) ? dir.resolve(NSFWJS_TARBALL) : cached;
        assumeTrue(
                Files.isRegularFile(tarball),
                () -> NSFWJS_TARBALL + " is in neither " + dir + " nor " + cached
                        + ": run model/src/test/fetch-nsfwjs.sh " + dir + " (needs npm)");
        return tarball;
    }
}
