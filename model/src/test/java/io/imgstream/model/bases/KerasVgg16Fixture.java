package io.imgstream.model.bases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A Keras-layout VGG16 weights file written by h5py (Debian {@code python3-h5py}) from seeded weights, with the
 * activations numpy computes for one input: see {@code src/test/python/keras_vgg16_weights.py}.
 *
 * @param weights     the {@code .h5}, named as Keras names its download
 * @param input       the input image, height x width x 3, already preprocessed
 * @param activations per layer: shape, mean and first values, channels last
 * @param size        input height and width
 */
record KerasVgg16Fixture(Path weights, float[] input, JsonNode activations, int size) {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Path SCRIPT = Path.of("src/test/python/keras_vgg16_weights.py");

    /** Writes the fixture into {@code dir}; skips the test, saying why, where Debian's h5py is not installed. */
    static KerasVgg16Fixture write(Path dir, int size) throws IOException, InterruptedException {
        assumeTrue(
                Files.isExecutable(Path.of(PYTHON)) && hasH5py(),
                "Debian's python3-h5py is not installed (apt-get install python3-h5py); .ci/run installs it");
        Process process = new ProcessBuilder(PYTHON, SCRIPT.toString(), dir.toString(), Integer.toString(size))
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        ByteBuffer bytes =
                ByteBuffer.wrap(Files.readAllBytes(dir.resolve("input.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] input = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(input);
        return new KerasVgg16Fixture(
                dir.resolve(KerasApplication.VGG16.fileName()),
                input,
                new ObjectMapper().readTree(dir.resolve("activations.json").toFile()),
                size);
    }

    private static boolean hasH5py() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder(PYTHON, "-c", "import h5py")
                .redirectErrorStream(true)
                .start();
        probe.getInputStream().readAllBytes();
        return probe.waitFor(1, TimeUnit.MINUTES) && probe.exitValue() == 0;
    }
}
