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
    void shouldSignTheBundleShaOfEveryAnnouncement() {
        KeyPair keys = BundleSignature.generate();
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

        assertThat(sent)
                .singleElement()
                .satisfies(signed -> assertThat(BundleSignature.verify(
                                keys.getPublic(),
                                "c".repeat(64),
                                signed.getBundleSignature().toString()))
                        .isTrue());
    }
}
