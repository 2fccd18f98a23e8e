package io.imgstream.model.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ModelBundleTest {

    private static final TrainingCurves CURVES = new TrainingCurves(
            List.of(1, 2), List.of(1.1, 0.7), List.of(0.4, 0.6), List.of(1.2, 0.9), List.of(0.35, 0.55));

    @Test
    void shouldPredictIdenticallyAfterWriteAndRead() {
        ModelBundle original = TestBundles.bundle("pets", 1, 3);
        INDArray input = TestBundles.input(5);

        ModelBundle restored = ModelBundle.readFrom(new ByteArrayInputStream(TestBundles.bytes(original)));

        assertThat(restored.manifest()).isEqualTo(original.manifest());
        assertThat(restored.curves())
                .as("curves of a bundle written without them")
                .isEmpty();
        float[][] expected = original.predict(input);
        float[][] actual = restored.predict(input);
        assertThat(actual).isDeepEqualTo(expected);
        for (float[] row : actual) {
            float sum = 0;
            for (float p : row) {
                sum += p;
            }
            assertThat(sum).as("row sum of probabilities").isCloseTo(1f, within(1e-5f));
        }
    }

    @Test
    void shouldWriteTheSameBytesForTheSameBundle() throws InterruptedException {
        ModelBundle bundle = TestBundles.bundle("pets", 1, 3);

        byte[] first = TestBundles.bytes(bundle);
        // DOS zip times have a 2-second resolution; wait past one to prove the entry times are fixed.
        Thread.sleep(2100);
        byte[] second = TestBundles.bytes(bundle);

        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldRoundTripTrainingCurves() {
        ModelBundle original = TestBundles.bundle("pets", 1, 3).withCurves(CURVES);

        ModelBundle restored = ModelBundle.readFrom(new ByteArrayInputStream(TestBundles.bytes(original)));

        assertThat(restored.curves()).contains(CURVES);
        assertThat(restored.manifest()).isEqualTo(original.manifest());
        assertThat(restored.predict(TestBundles.input(2))).isDeepEqualTo(original.predict(TestBundles.input(2)));
    }

    @Test
    void shouldGiveTheSameSha256ForTheSameBundleWithCurves() throws NoSuchAlgorithmException {
        byte[] first = TestBundles.bytes(TestBundles.bundle("pets", 1, 3).withCurves(CURVES));
        byte[] second = TestBundles.bytes(TestBundles.bundle("pets", 1, 3)
                .withCurves(new TrainingCurves(
                        List.of(1, 2), List.of(1.1, 0.7), List.of(0.4, 0.6), List.of(1.2, 0.9), List.of(0.35, 0.55))));
        byte[] withoutCurves = TestBundles.bytes(TestBundles.bundle("pets", 1, 3));

        assertThat(sha256(second)).isEqualTo(sha256(first));
        assertThat(sha256(withoutCurves)).isNotEqualTo(sha256(first));
    }

    @Test
    void shouldWriteTheCurvesEntryBetweenManifestAndNetwork() throws IOException {
        byte[] bytes = TestBundles.bytes(TestBundles.bundle("pets", 1, 3).withCurves(CURVES));

        assertThat(readEntries(bytes))
                .extracting(Map.Entry::getKey)
                .containsExactly(ModelBundle.MANIFEST_ENTRY, ModelBundle.CURVES_ENTRY, ModelBundle.NETWORK_ENTRY);
    }

    @Test
    void shouldRefuseACorruptCurvesEntry() throws IOException {
        byte[] valid = TestBundles.bytes(TestBundles.bundle("pets", 1, 3).withCurves(CURVES));

        byte[] tampered = replaceEntry(
                valid,
                ModelBundle.CURVES_ENTRY,
                "{\"epoch\": [1, 2], \"trainLoss\": [0.5]}".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> ModelBundle.readFrom(new ByteArrayInputStream(tampered)))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining(ModelBundle.CURVES_ENTRY + "' is invalid");
    }

    @Test
    void shouldReadOnlyTheManifestWithoutTheNetwork() throws IOException {
        byte[] valid = TestBundles.bytes(TestBundles.bundle("pets", 1, 3).withCurves(CURVES));
        byte[] corruptNetwork =
                replaceEntry(valid, ModelBundle.NETWORK_ENTRY, "garbage".getBytes(StandardCharsets.US_ASCII));

        assertThat(ModelBundle.readManifest(new ByteArrayInputStream(corruptNetwork)))
                .isEqualTo(TestBundles.manifest("pets", 1));
    }

    @Test
    void shouldStartWithTheManifestEntry() throws IOException {
        byte[] bytes = TestBundles.bytes(TestBundles.bundle("pets", 1, 3));

        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            assertThat(zip.getNextEntry().getName()).isEqualTo(ModelBundle.MANIFEST_ENTRY);
            String json = new String(zip.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json)
                    .contains(
                            "\"createdAt\" : \"2024-05-01T12:00:00Z\"",
                            "\"classes\" : [ \"cat\", \"dog\", \"fox\" ]",
                            "\"scaling\" : \"UNIT\"",
                            "\"parentVersion\" : null");
            assertThat(zip.getNextEntry().getName()).isEqualTo(ModelBundle.NETWORK_ENTRY);
        }
    }

    @Test
    void shouldRefuseAClassListThatDiffersFromTheOutputLayer() {
        BundleManifest fourClasses = BundleManifest.create(
                "pets",
                1,
                List.of("cat", "dog", "fox", "owl"),
                "small-cnn",
                TestBundles.PREPROCESSING,
                TestBundles.CREATED_AT,
                Map.of(),
                null);

        assertThatThrownBy(() -> ModelBundle.of(fourClasses, TestBundles.network(1)))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("has 3 units but the manifest lists 4 classes");
    }

    @Test
    void shouldTakeABinaryHeadOfOneSigmoidUnitAndGiveBothClassesProbabilities() {
        Preprocessing input = TestBundles.PREPROCESSING;
        ComputationGraph binary = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .seed(3)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(input.height(), input.width(), input.channels()))
                .addLayer(
                        "out",
                        new OutputLayer.Builder(LossFunctions.LossFunction.XENT)
                                .nOut(1)
                                .activation(Activation.SIGMOID)
                                .build(),
                        "in")
                .setOutputs("out")
                .build());
        binary.init();
        BundleManifest manifest = BundleManifest.create(
                "pets", 1, List.of("cat", "dog"), "small-cnn", input, TestBundles.CREATED_AT, Map.of(), null);

        float[][] probabilities = ModelBundle.of(manifest, binary).predict(TestBundles.input(4));

        assertThat(probabilities).hasNumberOfRows(4);
        for (float[] row : probabilities) {
            assertThat(row).hasSize(2);
            assertThat(row[0] + row[1]).isCloseTo(1f, within(1e-6f));
        }
    }

    @Test
    void shouldRefuseAStoredManifestWhoseClassesDoNotMatchTheNetwork() throws IOException {
        byte[] valid = TestBundles.bytes(TestBundles.bundle("pets", 1, 3));
        BundleManifest twoClasses = BundleManifest.create(
                "pets",
                1,
                List.of("cat", "dog"),
                "small-cnn",
                TestBundles.PREPROCESSING,
                TestBundles.CREATED_AT,
                Map.of(),
                null);

        byte[] tampered = replaceEntry(
                valid, ModelBundle.MANIFEST_ENTRY, twoClasses.toJson().getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> ModelBundle.readFrom(new ByteArrayInputStream(tampered)))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("manifest lists 2 classes [cat, dog]");
    }

    @Test
    void shouldRefusePreprocessingThatDoesNotFitTheNetworkInput() {
        Preprocessing colour = new Preprocessing(8, 8, 3, PixelScaling.UNIT, ResizePolicy.SQUASH);
        BundleManifest manifest = BundleManifest.create(
                "pets", 1, TestBundles.CLASSES, "small-cnn", colour, TestBundles.CREATED_AT, Map.of(), null);

        assertThatThrownBy(() -> ModelBundle.of(manifest, TestBundles.network(1)))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("does not accept input of shape [1, 3, 8, 8]");
    }

    @Test
    void shouldRefuseATruncatedBundle() {
        byte[] bytes = TestBundles.bytes(TestBundles.bundle("pets", 1, 3));

        assertThatThrownBy(() -> ModelBundle.readFrom(new ByteArrayInputStream(Arrays.copyOf(bytes, bytes.length / 2))))
                .isInstanceOf(BundleFormatException.class);
    }

    @Test
    void shouldRefuseBytesThatAreNotAZip() {
        byte[] text = "definitely not a zip file".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> ModelBundle.readFrom(new ByteArrayInputStream(text)))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("no zip entries");
    }

    @Test
    void shouldRefuseACorruptNetworkEntry() throws IOException {
        byte[] valid = TestBundles.bytes(TestBundles.bundle("pets", 1, 3));

        byte[] tampered = replaceEntry(valid, ModelBundle.NETWORK_ENTRY, "garbage".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> ModelBundle.readFrom(new ByteArrayInputStream(tampered)))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("not a readable DL4J ComputationGraph");
    }

    @Test
    void shouldRefuseABundleFromANewerFormatVersion() throws IOException {
        byte[] valid = TestBundles.bytes(TestBundles.bundle("pets", 1, 3));
        String json =
                TestBundles.manifest("pets", 1).toJson().replace("\"formatVersion\" : 1", "\"formatVersion\" : 2");

        byte[] newer = replaceEntry(valid, ModelBundle.MANIFEST_ENTRY, json.getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> ModelBundle.readFrom(new ByteArrayInputStream(newer)))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("format version 2 is newer than this imgstream reads (up to 1)");
    }

    @Test
    void shouldSkipUnknownEntries() throws IOException {
        byte[] valid = TestBundles.bytes(TestBundles.bundle("pets", 1, 3));

        byte[] extended = appendEntry(valid, "notes.txt", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(ModelBundle.readFrom(new ByteArrayInputStream(extended))
                        .manifest()
                        .modelName())
                .isEqualTo("pets");
    }

    @Test
    void shouldRefuseBatchesOfTheWrongShape() {
        ModelBundle bundle = TestBundles.bundle("pets", 1, 3);
        INDArray wrong = new Preprocessing(9, 8, 1, PixelScaling.UNIT, ResizePolicy.SQUASH)
                .toBatch(List.of(new BufferedImage(8, 9, BufferedImage.TYPE_INT_RGB)));

        assertThatThrownBy(() -> bundle.predict(wrong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 1, 9, 8]")
                .hasMessageContaining("expects [n, 1, 8, 8]");
    }

    @Test
    void shouldRoundTripTheManifestThroughJson() {
        BundleManifest manifest = BundleManifest.create(
                "pets",
                3,
                TestBundles.CLASSES,
                "vgg16-imagenet",
                new Preprocessing(150, 150, 3, PixelScaling.CAFFE_BGR, ResizePolicy.CENTER_CROP),
                TestBundles.CREATED_AT,
                Map.of("holdoutAccuracy", 0.91, "holdoutLoss", 0.27),
                2);

        assertThat(BundleManifest.fromJson(manifest.toJson())).isEqualTo(manifest);
        BundleManifest profiled = manifest.withHoldoutProfile(PredictionProfile.of(
                TestBundles.CLASSES,
                List.of(new float[TestBundles.CLASSES.size()], oneHot(TestBundles.CLASSES.size(), 1))));
        assertThat(BundleManifest.fromJson(profiled.toJson())).isEqualTo(profiled);
        assertThat(manifest.toJson()).as("left out when absent").doesNotContain("holdoutProfile");
    }

    private static float[] oneHot(int size, int index) {
        float[] values = new float[size];
        values[index] = 1;
        return values;
    }

    @Test
    void shouldRefuseInvalidManifests() {
        assertThatThrownBy(() -> TestBundles.manifest("../etc", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modelName");
        assertThatThrownBy(() -> BundleManifest.create(
                        "pets",
                        1,
                        List.of("cat", "cat"),
                        "b",
                        TestBundles.PREPROCESSING,
                        TestBundles.CREATED_AT,
                        Map.of(),
                        null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> BundleManifest.create(
                        "pets",
                        2,
                        TestBundles.CLASSES,
                        "b",
                        TestBundles.PREPROCESSING,
                        TestBundles.CREATED_AT,
                        Map.of(),
                        2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parentVersion");
        assertThatThrownBy(() -> BundleManifest.create(
                        "pets",
                        1,
                        TestBundles.CLASSES,
                        "b",
                        TestBundles.PREPROCESSING,
                        TestBundles.CREATED_AT,
                        Map.of("loss", Double.NaN),
                        null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BundleManifest.fromJson("{\"formatVersion\": 1, \"modelName\": \"pets\"}"))
                .isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("manifest is invalid");
        assertThatThrownBy(() -> BundleManifest.fromJson("[1, 2]")).isInstanceOf(BundleFormatException.class);
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static byte[] replaceEntry(byte[] zipBytes, String name, byte[] content) throws IOException {
        List<Map.Entry<String, byte[]>> entries = readEntries(zipBytes);
        entries.replaceAll(entry -> entry.getKey().equals(name) ? Map.entry(name, content) : entry);
        return writeEntries(entries);
    }

    private static byte[] appendEntry(byte[] zipBytes, String name, byte[] content) throws IOException {
        List<Map.Entry<String, byte[]>> entries = readEntries(zipBytes);
        entries.add(Map.entry(name, content));
        return writeEntries(entries);
    }

    private static List<Map.Entry<String, byte[]>> readEntries(byte[] zipBytes) throws IOException {
        List<Map.Entry<String, byte[]>> entries = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.add(Map.entry(entry.getName(), zip.readAllBytes()));
            }
        }
        return entries;
    }

    private static byte[] writeEntries(List<Map.Entry<String, byte[]>> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : entries) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
