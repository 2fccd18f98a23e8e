package io.imgstream.topology.swap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.control.AnnouncementSignature;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.schemas.avro.ModelMetrics;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleLoaderTest {

    private static final Preprocessing INPUT = new Preprocessing(16, 16, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);
    private static final List<String> CLASSES = List.of("a", "b", "c");

    @TempDir
    Path temp;

    @Test
    void shouldLoadOnlyVersionsSignedWithTheConfiguredKey() throws Exception {
        StoredBundle stored = new FileSystemModelStore(temp)
                .save(ModelBundle.of(
                        BundleManifest.create("m", 1, CLASSES, "small", INPUT, Instant.now(), Map.of(), null),
                        SmallCnn.build(1, 16, 16, CLASSES.size(), 1)));
        KeyPair keys = AnnouncementSignature.generate();
        BundleLoader loader = new BundleLoader(keys.getPublic());
        ModelVersion unsigned = announcement(stored);

        assertThatThrownBy(() -> loader.load(unsigned))
                .isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("not signed");
        assertThatThrownBy(() -> loader.load(AnnouncementSignature.signed(
                        unsigned, AnnouncementSignature.generate().getPrivate())))
                .isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("does not match");
        assertThat(loader.load(AnnouncementSignature.signed(unsigned, keys.getPrivate()))
                        .manifest()
                        .version())
                .isEqualTo(1);
        assertThat(new BundleLoader().load(unsigned).manifest().version())
                .as("no key: signatures not checked")
                .isEqualTo(1);
    }

    @Test
    void shouldRefuseASignedAnnouncementChangedAfterSigning() throws Exception {
        StoredBundle stored = new FileSystemModelStore(temp)
                .save(ModelBundle.of(
                        BundleManifest.create("m", 1, CLASSES, "small", INPUT, Instant.now(), Map.of(), null),
                        SmallCnn.build(1, 16, 16, CLASSES.size(), 1)));
        KeyPair keys = AnnouncementSignature.generate();
        BundleLoader loader = new BundleLoader(keys.getPublic());
        ModelVersion rejected = AnnouncementSignature.signed(
                ModelVersion.newBuilder(announcement(stored))
                        .setStatus(ModelStatus.REJECTED)
                        .build(),
                keys.getPrivate());

        // The bundle's sha256 and its signature stay valid in both; only what the record claims changes.
        ModelVersion promotedAfterAll = ModelVersion.newBuilder(rejected)
                .setStatus(ModelStatus.PROMOTED)
                .build();
        ModelVersion elsewhere = ModelVersion.newBuilder(rejected)
                .setBundleUri("file:///dev/zero")
                .build();

        assertThatThrownBy(() -> loader.load(promotedAfterAll))
                .isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> loader.load(elsewhere))
                .isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("does not match");
    }

    private static ModelVersion announcement(StoredBundle stored) {
        return ModelVersion.newBuilder()
                .setModelName("m")
                .setVersion(1)
                .setBaseModelId("small")
                .setBundleUri(stored.uri().toString())
                .setBundleSha256(stored.sha256())
                .setClasses(List.copyOf(CLASSES))
                .setInputHeight(16)
                .setInputWidth(16)
                .setInputChannels(1)
                .setPreprocessing("UNIT")
                .setResizePolicy("SQUASH")
                .setMetrics(ModelMetrics.newBuilder().build())
                .setCreatedTime(Instant.now())
                .setStatus(ModelStatus.PROMOTED)
                .build();
    }
}
