package io.imgstream.model.bases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /** Writes the fixture into {@code dir}; skips the test, saying why, where Debian's h5py is not installed. */
    static KerasVgg16Fixture write(Path dir, int size) throws IOException, InterruptedException {
        H5pyScript.run("keras_vgg16_weights.py", dir.toString(), Integer.toString(size));
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
}
