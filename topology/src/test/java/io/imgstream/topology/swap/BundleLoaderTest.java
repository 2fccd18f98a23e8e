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
import java.nio.file.Files;
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
        BundleLoader loader = new BundleLoader(temp, keys.getPublic());
        ModelVersion unsigned = announcement(stored);

        assertThatThrownBy(() -> loader.load(unsigned))
                .isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("not signed")
                .hasMessageContaining("--signing-key");
        assertThatThrownBy(() -> loader.load(AnnouncementSignature.signed(
                        unsigned, AnnouncementSignature.generate().getPrivate())))
                .isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("does not match");
        assertThat(loader.load(AnnouncementSignature.signed(unsigned, keys.getPrivate()))
                        .manifest()
                        .version())
                .isEqualTo(1);
        assertThat(new BundleLoader(temp, null).load(unsigned).manifest().version())
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
        BundleLoader loader = new BundleLoader(temp, keys.getPublic());
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

    @Test
    void shouldReadAnnouncedBundlesOnlyFromItsModelStore() throws Exception {
        Path root = Files.createDirectories(temp.resolve("store"));
        Path elsewhere = temp.resolve("elsewhere");
        StoredBundle outside = new FileSystemModelStore(elsewhere).save(bundle());
        BundleLoader loader = new BundleLoader(root, null);
        ModelVersion planted = announcement(outside);
        ModelVersion traversal = ModelVersion.newBuilder(planted)
                .setBundleUri(root.toUri() + "m/../../elsewhere/m/v1/bundle.zip")
                .build();
        ModelVersion device = ModelVersion.newBuilder(planted)
                .setBundleUri("file:///dev/zero")
                .build();
        ModelVersion plainPath = ModelVersion.newBuilder(planted)
                .setBundleUri(Path.of(outside.uri()).toString())
                .build();

        for (ModelVersion refused : List.of(planted, traversal, device, plainPath)) {
            assertThatThrownBy(() -> loader.load(refused))
                    .as(refused.getBundleUri().toString())
                    .isInstanceOf(ModelRefusedException.class)
                    .hasMessageContaining("reads announced bundles only from its model store (model.store=" + root);
        }

        // A link below the root: the path looks like the store's, the bytes are the planted file's.
        Files.createSymbolicLink(root.resolve("m"), elsewhere.resolve("m"));
        ModelVersion linked = ModelVersion.newBuilder(planted)
                .setBundleUri(root.resolve("m/v1/bundle.zip").toUri().toString())
                .build();
        assertThatThrownBy(() -> loader.load(linked))
                .isInstanceOf(ModelRefusedException.class)
                .hasMessageContaining("symbolic link");

        Files.delete(root.resolve("m"));
        StoredBundle stored = new FileSystemModelStore(root).save(bundle());
        assertThat(loader.load(announcement(stored)).manifest().version()).isEqualTo(1);
    }

    private static ModelBundle bundle() {
        return ModelBundle.of(
                BundleManifest.create("m", 1, CLASSES, "small", INPUT, Instant.now(), Map.of(), null),
                SmallCnn.build(1, 16, 16, CLASSES.size(), 1));
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
