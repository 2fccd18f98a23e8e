package io.imgstream.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** DL4J model zips (a real saved graph) and Keras .h5 files that are missing or not HDF5. */
class LocalFileSourcesTest {

    private static final long SEED = 7;

    @TempDir
    Path dir;

    @Test
    void shouldRestoreASavedGraphWithItsWeights() throws Exception {
        ComputationGraph saved = smallGraph();
        Path zip = dir.resolve("graph.zip");
        ModelSerializer.writeModel(saved, zip.toFile(), false);
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);

        LoadedNetwork loaded = Dl4jZipSource.of(zip).load();

        assertThat(loaded.graph().outputSingle(input)).isEqualTo(saved.outputSingle(input));
        assertThat(loaded.weightsSha256()).isEqualTo(Digests.sha256Of(zip));
        assertThat(loaded.source()).isEqualTo("dl4j-zip:" + zip);
    }

    @Test
    void shouldRestoreASavedMultiLayerNetworkAsAGraph() throws Exception {
        MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .list()
                .layer(new DenseLayer.Builder()
                        .nIn(4)
                        .nOut(3)
                        .activation(Activation.RELU)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(3)
                        .nOut(2)
                        .activation(Activation.SOFTMAX)
                        .build())
                .build();
        MultiLayerNetwork saved = new MultiLayerNetwork(configuration);
        saved.init();
        Path zip = dir.resolve("mln.zip");
        ModelSerializer.writeModel(saved, zip.toFile(), false);
        INDArray input = Nd4j.rand(DataType.FLOAT, 3, 4);

        LoadedNetwork loaded = Dl4jZipSource.of(zip).load();

        assertThat(loaded.graph().outputSingle(input)).isEqualTo(saved.output(input));
    }

    @Test
    void shouldReportAMissingZip() {
        Path missing = dir.resolve("missing.zip");

        assertThatThrownBy(() -> Dl4jZipSource.of(missing).load())
                .isInstanceOf(WeightsNotFoundException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void shouldReportAFileThatIsNotAModelZip() throws IOException {
        Path notZip = Files.writeString(dir.resolve("notes.zip"), "not a zip");

        assertThatThrownBy(() -> Dl4jZipSource.of(notZip).load())
                .isInstanceOf(CorruptWeightsException.class)
                .hasMessageContaining(notZip.toString());
    }

    @Test
    void shouldReportAMissingH5() {
        Path missing = dir.resolve("vgg16.h5");

        assertThatThrownBy(() -> KerasH5Source.wholeModel(missing).load())
                .isInstanceOf(WeightsNotFoundException.class)
                .hasMessageContaining("Keras .h5 file " + missing + " does not exist");
    }

    @Test
    void shouldReportAnH5ThatIsNotHdf5() throws IOException {
        Path png = dir.resolve("vgg16.h5");
        try (InputStream photo = getClass().getResourceAsStream("/photos/chelsea-224.png")) {
            Files.write(png, photo.readAllBytes());
        }

        assertThatThrownBy(() -> KerasH5Source.wholeModel(png).load())
                .isInstanceOf(CorruptWeightsException.class)
                .hasMessageContaining("is not an HDF5 file");
    }

    @Test
    void shouldReportATruncatedH5AsCorrupt() throws IOException {
        byte[] signatureOnly = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};
        Path truncated = Files.write(dir.resolve("truncated.h5"), signatureOnly);

        assertThatThrownBy(() -> KerasH5Source.wholeModel(truncated).load())
                .isInstanceOf(CorruptWeightsException.class)
                .hasMessageContaining(truncated.toString());
    }

    @Test
    void shouldReportAMissingArchitectureJsonForWeightsOnly() throws IOException {
        Path weights = Files.write(dir.resolve("weights.h5"), new byte[] {1});
        Path json = dir.resolve("model.json");

        assertThatThrownBy(() -> KerasH5Source.weightsInto(json, weights).load())
                .isInstanceOf(WeightsNotFoundException.class)
                .hasMessageContaining("Keras architecture JSON " + json);
    }

    private static ComputationGraph smallGraph() {
        ComputationGraphConfiguration configuration = new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .graphBuilder()
                .addInputs("image")
                .setInputTypes(InputType.convolutional(16, 16, 3))
                .addLayer(
                        "conv",
                        new ConvolutionLayer.Builder(3, 3)
                                .nOut(4)
                                .activation(Activation.RELU)
                                .build(),
                        "image")
                .addLayer("pool", new GlobalPoolingLayer.Builder().build(), "conv")
                .addLayer(
                        "out",
                        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .nOut(2)
                                .activation(Activation.SOFTMAX)
                                .build(),
                        "pool")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(configuration);
        graph.init();
        return graph;
    }
}
