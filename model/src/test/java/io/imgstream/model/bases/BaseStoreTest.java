package io.imgstream.model.bases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.VggBase;
import io.imgstream.model.weights.CorruptWeightsException;
import io.imgstream.model.weights.WeightsNotFoundException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Imports a Keras-layout VGG16 weights file that h5py wrote from known weights, and checks every layer's output
 * against what numpy computed from the same weights, independently of DL4J.
 */
class BaseStoreTest {

    private static final int SIZE = 64;
    private static final WeightsDownload DOWNLOAD = new WeightsDownload(Duration.ofSeconds(10));
    /** Relative: activations reach ~100 after 13 float32 layers summed in another order than numpy's float64. */
    private static final double RELATIVE_TOLERANCE = 1e-4;

    @TempDir
    static Path fixtureDir;

    private static KerasVgg16Fixture fixture;

    @TempDir
    Path work;

    private Path storeRoot;

    @BeforeEach
    void placeStore() {
        storeRoot = work.resolve("store");
    }

    @BeforeAll
    static void writeFixture() throws Exception {
        fixture = KerasVgg16Fixture.write(fixtureDir, SIZE);
    }

    @Test
    void shouldImportKerasWeightsOnlyVgg16AndComputeWhatNumpyComputesLayerByLayer() throws Exception {
        BaseStore store = new BaseStore(storeRoot);

        StoredBase stored = store.add(importAt(SIZE));

        assertThat(stored.name()).isEqualTo("vgg16");
        assertThat(stored.architecture()).isEqualTo("vgg16");
        assertThat(stored.format()).isEqualTo(BaseFormat.KERAS_WEIGHTS);
        assertThat(stored.dataFormat()).isEqualTo(CNN2DFormat.NCHW);
        assertThat(stored.featureShape()).containsExactly(512L, 2L, 2L);
        BaseNetwork base = store.load("vgg16");
        assertThat(base).isInstanceOf(VggBase.class);
        assertThat(base.id()).isEqualTo(stored.id());
        INDArray nchw = Nd4j.create(fixture.input(), new long[] {1, SIZE, SIZE, 3})
                .permute(0, 3, 1, 2)
                .dup('c');
        Map<String, INDArray> layers = base.graph().feedForward(nchw, false);
        Iterator<Map.Entry<String, JsonNode>> expected = fixture.activations().fields();
        int checked = 0;
        while (expected.hasNext()) {
            Map.Entry<String, JsonNode> layer = expected.next();
            INDArray nhwc = layers.get(layer.getKey()).permute(0, 2, 3, 1).dup('c');
            assertLayer(layer.getKey(), nhwc, layer.getValue());
            checked++;
        }
        assertThat(checked).isEqualTo(18);
        assertLayer(
                "features",
                base.features(nchw).permute(0, 2, 3, 1).dup('c'),
                fixture.activations().get("block5_pool"));
    }

    @Test
    void shouldLoadAVggBaseAtAnotherInputSizeButNoOtherBase() throws Exception {
        BaseStore store = new BaseStore(storeRoot);
        StoredBase stored = store.add(importAt(SIZE));

        BaseNetwork at150 = store.load(stored, OptionalInt.of(150));

        assertThat(at150.featureShape()).containsExactly(512, 4, 4);
        assertThat(at150.id()).isEqualTo(stored.id());
    }

    @Test
    void shouldFindABaseByNameIdOrIdPrefixAndSayWhatThereIsOtherwise() throws Exception {
        BaseStore store = new BaseStore(storeRoot);
        StoredBase stored = store.add(importAt(SIZE).withName("my-vgg"));

        assertThat(store.list()).extracting(StoredBase::name).containsExactly("my-vgg");
        assertThat(store.find("my-vgg").id()).isEqualTo(stored.id());
        assertThat(store.find(stored.id().toString()).name()).isEqualTo("my-vgg");
        assertThat(store.find("vgg16@" + stored.id().weightsSha256().substring(0, 12))
                        .name())
                .isEqualTo("my-vgg");
        assertThatThrownBy(
                        () -> store.find("vgg16@" + stored.id().weightsSha256().substring(0, 4)))
                .isInstanceOf(WeightsNotFoundException.class);
        assertThatThrownBy(() -> store.find("resnet50"))
                .isInstanceOf(WeightsNotFoundException.class)
                .hasMessageContaining("no base 'resnet50'")
                .hasMessageContaining("my-vgg")
                .hasMessageContaining("imgstream bases pull");
    }

    @Test
    void shouldRefuseToOverwriteABaseUnlessAskedAndLeaveNoStagingBehind() throws Exception {
        BaseStore store = new BaseStore(storeRoot);
        store.add(importAt(SIZE));

        assertThatThrownBy(() -> store.add(importAt(SIZE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already stored");
        StoredBase replaced = store.add(importAt(SIZE).withReplace(true));

        assertThat(store.list()).containsExactly(replaced);
        try (var staged = Files.list(storeRoot.resolve(".staging"))) {
            assertThat(staged).isEmpty();
        }
    }

    @Test
    void shouldRefuseABaseWhoseFileChangedAfterImport() throws Exception {
        BaseStore store = new BaseStore(storeRoot);
        StoredBase stored = store.add(importAt(SIZE));
        Path file = storeRoot.resolve(stored.name()).resolve(stored.file());
        byte[] bytes = Files.readAllBytes(file);
        // The middle of the file is inside block4's kernels.
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);

        assertThatThrownBy(() -> store.load("vgg16"))
                .isInstanceOf(CorruptWeightsException.class)
                .hasMessageContaining("its file changed");
    }

    @Test
    void shouldRefuseAWeightsOnlyFileOfAnArchitectureItDoesNotBuildSayingWhatItNeeds() throws Exception {
        Path resnet = Files.copy(fixture.weights(), work.resolve("x-" + KerasApplication.RESNET50.fileName()));
        BaseStore store = new BaseStore(storeRoot);

        assertThatThrownBy(() -> store.add(ImportRequest.of(resnet).withArchitecture(KerasApplication.RESNET50)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--architecture-json");
        assertThatThrownBy(() -> store.add(ImportRequest.of(resnet)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--architecture (vgg16, vgg19)");
    }

    @Test
    void shouldRefuseAFileThatIsNoNetwork() throws IOException {
        Path text = Files.writeString(work.resolve("notes.h5"), "not a network");
        BaseStore store = new BaseStore(storeRoot);

        assertThatThrownBy(() -> store.add(ImportRequest.of(text).withArchitecture(KerasApplication.VGG16)))
                .isInstanceOf(CorruptWeightsException.class)
                .hasMessageContaining("not an HDF5 file");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void shouldPullFromAMirrorVerifyTheChecksumAndStoreTheBaseAtomically() throws Exception {
        byte[] file = Files.readAllBytes(fixture.weights());
        String md5 = md5(file);
        BaseStore store = new BaseStore(storeRoot);
        try (WeightsServer mirror = new WeightsServer(file, true, -1)) {
            URI url = KerasApplication.VGG16.url(mirror.root());

            StoredBase stored = store.pull(
                    KerasApplication.VGG16, url, Optional.of(md5), DOWNLOAD, WeightsDownload.Listener.NONE, false);

            assertThat(stored.name()).isEqualTo("vgg16");
            assertThat(stored.origin()).isEqualTo(url.toString());
            assertThat(stored.preprocessing().height()).isEqualTo(224);
            assertThat(stored.featureShape()).containsExactly(512L, 7L, 7L);
            assertThat(store.load("vgg16").id()).isEqualTo(stored.id());
        }
        try (var downloads = Files.list(storeRoot.resolve(".downloads"))) {
            assertThat(downloads).isEmpty();
        }
    }

    @Test
    void shouldRefuseAPullWhoseFileIsNotTheOneKerasPublishesAndStoreNothing() throws Exception {
        BaseStore store = new BaseStore(storeRoot);
        try (WeightsServer mirror = new WeightsServer(Files.readAllBytes(fixture.weights()), true, -1)) {
            KerasApplication vgg16 = KerasApplication.VGG16;

            assertThatThrownBy(() -> store.pull(
                            vgg16,
                            vgg16.url(mirror.root()),
                            vgg16.md5(),
                            DOWNLOAD,
                            WeightsDownload.Listener.NONE,
                            false))
                    .isInstanceOf(DownloadException.class)
                    .hasMessageContaining("expected " + vgg16.md5().orElseThrow());
        }
        assertThat(store.list()).isEmpty();
    }

    @Test
    void shouldSayWhatToDoWhenOfflineInOneSentenceNamingTheUrl() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        URI url = KerasApplication.RESNET50.url(URI.create("http://127.0.0.1:" + port + "/keras/"));

        assertThatThrownBy(() -> new BaseStore(storeRoot)
                        .pull(
                                KerasApplication.RESNET50,
                                url,
                                KerasApplication.RESNET50.md5(),
                                DOWNLOAD,
                                WeightsDownload.Listener.NONE,
                                false))
                .isInstanceOf(DownloadException.class)
                .hasMessageStartingWith("Could not download resnet50 from " + url)
                .hasMessageContaining("imgstream bases import " + KerasApplication.RESNET50.fileName())
                .hasMessageContaining("--mirror");
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    private static ImportRequest importAt(int size) {
        return ImportRequest.of(fixture.weights()).withInputSize(size);
    }

    private static void assertLayer(String name, INDArray nhwc, JsonNode expected) {
        long[] shape = new long[expected.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = expected.get("shape").get(i).asLong();
        }
        assertThat(nhwc.shape()).as(name).containsExactly(1, shape[0], shape[1], shape[2]);
        double mean = expected.get("mean").asDouble();
        assertThat(nhwc.meanNumber().doubleValue())
                .as(name + " mean")
                .isCloseTo(mean, within(mean * RELATIVE_TOLERANCE));
        float[] values = nhwc.reshape(-1).toFloatVector();
        JsonNode first = expected.get("first");
        for (int i = 0; i < first.size(); i++) {
            double want = first.get(i).asDouble();
            assertThat((double) values[i])
                    .as(name + "[" + i + "]")
                    .isCloseTo(want, within(Math.max(1e-3, Math.abs(want) * RELATIVE_TOLERANCE)));
        }
    }
}
