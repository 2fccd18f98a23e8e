package io.imgstream.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.schemas.avro.ModelMetrics;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SigningAnnouncerTest {

    @Test
    void shouldSignEveryAnnouncementWhole() {
        KeyPair keys = AnnouncementSignature.generate();
        List<ModelVersion> sent = new ArrayList<>();
        ModelVersion version = ModelVersion.newBuilder()
                .setModelName("m")
                .setVersion(2)
                .setBaseModelId("b")
                .setBundleUri("file:///m/v2/bundle.zip")
                .setBundleSha256("c".repeat(64))
                .setClasses(List.of("x", "y"))
                .setInputHeight(8)
                .setInputWidth(8)
                .setInputChannels(1)
                .setPreprocessing("UNIT")
                .setResizePolicy("SQUASH")
                .setMetrics(ModelMetrics.newBuilder().build())
                .setCreatedTime(Instant.now())
                .setStatus(ModelStatus.PROMOTED)
                .build();

        new SigningAnnouncer(sent::add, keys.getPrivate()).announce(version);

        assertThat(sent).singleElement().satisfies(signed -> {
            assertThat(AnnouncementSignature.isSignedBy(signed, keys.getPublic()))
                    .isTrue();
            assertThat(AnnouncementSignature.isSignedBy(
                            ModelVersion.newBuilder(signed).setVersion(3).build(), keys.getPublic()))
                    .as("another version number under the same signature")
                    .isFalse();
        });
    }
}
