package io.imgstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelAnnouncementsTest {

    private static final Preprocessing INPUT =
            new Preprocessing(150, 150, 3, PixelScaling.CAFFE_BGR, ResizePolicy.SQUASH);
    private static final BundleManifest MANIFEST = BundleManifest.create(
            "pets",
            2,
            List.of("cat", "dog"),
            "vgg16@abc",
            INPUT,
            Instant.parse("2026-12-01T10:00:00Z"),
            Map.of(ModelAnnouncements.HOLDOUT_ACCURACY, 0.91),
            1);
    private static final StoredBundle STORED =
            new StoredBundle("pets", 2, URI.create("file:///models/pets/v2/bundle.zip"), "a".repeat(64), 1234);

    @Test
    void shouldCopyWhatScorersCheckFromTheManifestAndTheStore() {
        ModelVersion version = ModelAnnouncements.of(STORED, MANIFEST, ModelStatus.PROMOTED, Instant.EPOCH);

        assertThat(version.getModelName().toString()).isEqualTo("pets");
        assertThat(version.getVersion()).isEqualTo(2);
        assertThat(version.getBaseModelId().toString()).isEqualTo("vgg16@abc");
        assertThat(version.getClasses()).extracting(CharSequence::toString).containsExactly("cat", "dog");
        assertThat(version.getBundleUri().toString()).isEqualTo("file:///models/pets/v2/bundle.zip");
        assertThat(version.getBundleSha256().toString()).isEqualTo("a".repeat(64));
        assertThat(version.getMetrics().getAccuracy()).isEqualTo(0.91);
        assertThat(version.getParentVersion()).isEqualTo(1);
        assertThat(version.getPreprocessing().toString()).isEqualTo("CAFFE_BGR");
        assertThat(version.getStatus()).isEqualTo(ModelStatus.PROMOTED);
    }

    @Test
    void shouldRefuseAManifestOfAnotherBundle() {
        StoredBundle other = new StoredBundle("pets", 3, STORED.uri(), STORED.sha256(), 1);

        assertThatThrownBy(() -> ModelAnnouncements.of(other, MANIFEST, ModelStatus.PROMOTED, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pets v2")
                .hasMessageContaining("pets v3");
    }
}
