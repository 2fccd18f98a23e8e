package io.imgstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.avro.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyFilesTest {

    @TempDir
    Path temp;

    @Test
    void shouldMakeAWorkingPairOnceAndKeepIt() throws Exception {
        SigningKeyFiles keys = SigningKeyFiles.in(temp.resolve("stack/keys"));

        assertThat(keys.existingPrivateKey()).isEmpty();
        assertThat(keys.createIfAbsent()).isTrue();
        String publicPem = Files.readString(keys.publicKey());
        assertThat(keys.createIfAbsent()).as("an existing pair is kept").isFalse();

        assertThat(Files.readString(keys.publicKey())).isEqualTo(publicPem);
        assertThat(keys.existingPrivateKey()).contains(keys.privateKey());
        assertThat(keys.existingPublicKey()).contains(keys.publicKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.privateKey())))
                .isEqualTo("rw-------");
        ModelVersion signed =
                AnnouncementSignature.signed(announcement(), AnnouncementSignature.readPrivateKey(keys.privateKey()));
        assertThat(AnnouncementSignature.isSignedBy(signed, AnnouncementSignature.readPublicKey(keys.publicKey())))
                .isTrue();
    }

    @Test
    void shouldRefuseToCompleteAHalfPair() throws Exception {
        SigningKeyFiles keys = SigningKeyFiles.in(temp);
        Files.writeString(keys.publicKey(), "the public key scorers were given\n");

        assertThatThrownBy(keys::createIfAbsent)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(keys.privateKey() + " is missing");
        assertThat(keys.existingPrivateKey()).isEmpty();
    }

    private static ModelVersion announcement() {
        return SampleVersions.promoted("m", 1);
    }
}
