package io.imgstream.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * TF.js layers models as files ({@code model.json} + {@code .bin} shards), made from nsfwjs's real
 * MobileNetV2 by {@link NsfwjsPackage#writeTfjsModel}: the same graph and hash as from the bundle, float32
 * re-encoding, and clear errors for missing, short or oversized shards.
 */
class TfjsLayersSourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "mobilenet_v2";
    private static final int SIZE = 224;
    private static final long SEED = 3;

    private static NsfwjsPackage nsfwjs;

    @TempDir
    Path dir;

    @BeforeAll
    static void openPackage() throws Exception {
        nsfwjs = NsfwjsPackage.open(TestData.nsfwjsTarball());
    }

    @Test
    void shouldLoadTheWrittenModelJsonAsTheBundleLoads() throws Exception {
        Path modelJson = nsfwjs.writeTfjsModel(MODEL, dir);
        INDArray image = randomImage();

        LoadedNetwork fromFiles = TfjsLayersSource.fromModelJson(modelJson).load();
        LoadedNetwork fromBundle = nsfwjs.model(MODEL).load();

        assertThat(fromFiles.weightsSha256()).isEqualTo(fromBundle.weightsSha256());
        assertThat(fromFiles.graph().outputSingle(image))
                .isEqualTo(fromBundle.graph().outputSingle(image));
        assertThat(Files.readString(modelJson)).contains("\"weightsManifest\"").contains("\"group1-shard1of1\"");
    }

    @Test
    void shouldGiveTheSameOutputsFromFloat32AsFromTheUint8QuantizedWeights() throws Exception {
        Path modelJson = nsfwjs.writeTfjsModel(MODEL, dir);
        ObjectNode root = (ObjectNode) JSON.readTree(modelJson.toFile());
        ObjectNode group = (ObjectNode) root.path("weightsManifest").get(0);
        ByteBuffer quantized = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("group1-shard1of1")))
                .order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer float32 =
                ByteBuffer.allocate(quantized.capacity() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (var spec : group.withArray("weights")) {
            long[] shape = JSON.convertValue(spec.path("shape"), long[].class);
            for (float value : WeightEncoding.decode("test", spec, shape, quantized)) {
                float32.putFloat(value);
            }
            ((ObjectNode) spec).remove("quantization");
        }
        Files.write(dir.resolve("float32.bin"), Arrays.copyOf(float32.array(), float32.position()));
        group.putArray("paths").add("float32.bin");
        Path float32Json = dir.resolve("float32.json");
        JSON.writeValue(float32Json.toFile(), root);
        INDArray image = randomImage();

        LoadedNetwork dequantized = TfjsLayersSource.fromModelJson(float32Json).load();
        LoadedNetwork original = TfjsLayersSource.fromModelJson(modelJson).load();

        assertThat(dequantized.graph().outputSingle(image))
                .isEqualTo(original.graph().outputSingle(image));
        assertThat(dequantized.weightsSha256()).as("other bytes, other hash").isNotEqualTo(original.weightsSha256());
    }

    @Test
    void shouldImportASequentialModelWithFloat16Weights() throws Exception {
        // Dense(2 -> 1, linear) as tfjs's model.save() writes it; kernel [[0.5], [-2]] and bias [0.25] as float16.
        String modelJson = """
                {"format": "layers-model",
                 "modelTopology": {"class_name": "Sequential", "keras_version": "tfjs-layers 4.22.0",
                   "backend": "tensor_flow.js",
                   "config": {"name": "tiny", "layers": [{"class_name": "Dense", "config": {"name": "dense", "units": 1,
                     "activation": "linear", "use_bias": true, "batch_input_shape": [null, 2], "dtype": "float32",
                     "kernel_initializer": {"class_name": "Zeros", "config": {}},
                     "bias_initializer": {"class_name": "Zeros", "config": {}}, "trainable": true}}]}},
                 "weightsManifest": [{"paths": ["tiny.bin"], "weights": [
                   {"name": "dense/kernel", "shape": [2, 1], "dtype": "float32", "quantization": {"dtype": "float16"}},
                   {"name": "dense/bias", "shape": [1], "dtype": "float32", "quantization": {"dtype": "float16"}}]}]}
                """;
        short half = 0x3800;
        short minusTwo = (short) 0xC000;
        short quarter = 0x3400;
        ByteBuffer shard = ByteBuffer.allocate(3 * Short.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort(half)
                .putShort(minusTwo)
                .putShort(quarter);
        Files.write(dir.resolve("tiny.bin"), shard.array());
        Path json = Files.writeString(dir.resolve("tiny.json"), modelJson);

        LoadedNetwork tiny = TfjsLayersSource.fromModelJson(json).load();

        INDArray output = tiny.graph().outputSingle(Nd4j.createFromArray(new float[][] {{4f, 1f}}));
        assertThat(output.getFloat(0)).as("0.5 * 4 - 2 * 1 + 0.25").isEqualTo(0.25f);
    }

    @Test
    void shouldReportAMissingShard() throws Exception {
        Path modelJson = nsfwjs.writeTfjsModel(MODEL, dir);
        Files.delete(dir.resolve("group1-shard1of1"));

        assertThatThrownBy(() -> TfjsLayersSource.fromModelJson(modelJson).load())
                .isInstanceOf(WeightsNotFoundException.class)
                .hasMessageContaining("group1-shard1of1 does not exist");
    }

    @Test
    void shouldReportAShortShardWithTheWeightItEndsIn() throws Exception {
        Path modelJson = nsfwjs.writeTfjsModel(MODEL, dir);
        Path shard = dir.resolve("group1-shard1of1");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, Arrays.copyOf(bytes, bytes.length - 1));

        assertThatThrownBy(() -> TfjsLayersSource.fromModelJson(modelJson).load())
                .isInstanceOf(CorruptWeightsException.class)
                .hasMessageContaining("the shards end before weight");
    }

    @Test
    void shouldReportAShardWithBytesNoWeightUses() throws Exception {
        Path modelJson = nsfwjs.writeTfjsModel(MODEL, dir);
        Path shard = dir.resolve("group1-shard1of1");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, Arrays.copyOf(bytes, bytes.length + 4));

        assertThatThrownBy(() -> TfjsLayersSource.fromModelJson(modelJson).load())
                .isInstanceOf(CorruptWeightsException.class)
                .hasMessageContaining("4 bytes more than their weights need");
    }

    @Test
    void shouldReportAMissingModelJson() {
        Path missing = dir.resolve("model.json");

        assertThatThrownBy(() -> TfjsLayersSource.fromModelJson(missing).load())
                .isInstanceOf(WeightsNotFoundException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void shouldReportAJsonThatIsNotALayersModel() throws Exception {
        Path notModel = Files.writeString(dir.resolve("model.json"), "{\"format\": \"layers-model\"}");

        assertThatThrownBy(() -> TfjsLayersSource.fromModelJson(notModel).load())
                .isInstanceOf(CorruptWeightsException.class)
                .hasMessageContaining("no modelTopology");
    }

    private static INDArray randomImage() {
        Nd4j.getRandom().setSeed(SEED);
        return Nd4j.rand(DataType.FLOAT, 1, SIZE, SIZE, 3);
    }
}
