package io.imgstream.model.bases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of {@code src/test/python}'s scripts, which write Keras files with h5py, under Debian's {@code python3}.
 */
final class H5pyScript {

    private static final String PYTHON = "/usr/bin/python3";

    private H5pyScript() {}

    /**
     * Runs {@code src/test/python/<script>} with {@code arguments}, failing the test with its output if it fails;
     * skips the test, saying why, where Debian's h5py is not installed.
     */
    static void run(String script, String... arguments) throws IOException, InterruptedException {
        assumeTrue(
                Files.isExecutable(Path.of(PYTHON)) && hasH5py(),
                "Debian's python3-h5py is not installed (apt-get install python3-h5py); .ci/run installs it");
        List<String> command = new ArrayList<>(List.of(PYTHON, "src/test/python/" + script));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    private static boolean hasH5py() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder(PYTHON, "-c", "import h5py")
                .redirectErrorStream(true)
                .start();
        probe.getInputStream().readAllBytes();
        return probe.waitFor(1, TimeUnit.MINUTES) && probe.exitValue() == 0;
    }
}
