package io.imgstream.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.schemas.avro.ModelVersion;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SigningAnnouncerTest {

    @Test
    void shouldSignEveryAnnouncementWhole() {
        KeyPair keys = AnnouncementSignature.generate();
        List<ModelVersion> sent = new ArrayList<>();
        ModelVersion version = SampleVersions.promoted("m", 2);

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
