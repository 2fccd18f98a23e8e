package io.imgstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.avro.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnnouncementSignatureTest {

    private static final String SHA = "a".repeat(64);

    @TempDir
    Path temp;

    @Test
    void shouldVerifyOnlyTheSignedTextUnderTheSigningKey() {
        KeyPair keys = AnnouncementSignature.generate();
        String signature = AnnouncementSignature.sign(keys.getPrivate(), SHA);

        assertThat(AnnouncementSignature.verify(keys.getPublic(), SHA, signature))
                .isTrue();
        assertThat(AnnouncementSignature.verify(keys.getPublic(), "b".repeat(64), signature))
                .as("another bundle")
                .isFalse();
        assertThat(AnnouncementSignature.verify(AnnouncementSignature.generate().getPublic(), SHA, signature))
                .as("another key")
                .isFalse();
        assertThat(AnnouncementSignature.verify(keys.getPublic(), SHA, "not base64!"))
                .isFalse();
    }

    @Test
    void shouldReadBackThePemFilesItWrites() throws Exception {
        KeyPair keys = AnnouncementSignature.generate();
        Path privatePem = temp.resolve("key.pem");
        Path publicPem = temp.resolve("key.pub.pem");

        AnnouncementSignature.write(keys, privatePem, publicPem);

        assertThat(Files.readString(privatePem)).startsWith("-----BEGIN PRIVATE KEY-----");
        String signature = AnnouncementSignature.sign(AnnouncementSignature.readPrivateKey(privatePem), SHA);
        assertThat(AnnouncementSignature.verify(AnnouncementSignature.readPublicKey(publicPem), SHA, signature))
                .isTrue();
        assertThatThrownBy(() -> AnnouncementSignature.readPublicKey(privatePem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no '-----BEGIN PUBLIC KEY-----' block");
    }

    @Test
    void shouldNeverGiveTwoAnnouncementsTheSamePayload() {
        ModelVersion twoClasses = version(List.of("cat", "dog"));
        ModelVersion oneClassWithAComma = version(List.of("cat\nclass=3:dog"));

        assertThat(AnnouncementSignature.payload(twoClasses))
                .isNotEqualTo(AnnouncementSignature.payload(oneClassWithAComma))
                .contains("status=8:PROMOTED", "bundle.uri=", "class=3:cat", "class=3:dog");
    }

    @Test
    void shouldCoverACanarysShareSoThatNoOneCanWidenItWithoutTheKey() {
        KeyPair keys = AnnouncementSignature.generate();
        ModelVersion tenPercent = AnnouncementSignature.signed(
                CanaryRollout.start(version(List.of("cat", "dog")), 10, Instant.now()), keys.getPrivate());

        ModelVersion widened =
                ModelVersion.newBuilder(tenPercent).setCanaryPercent(99).build();

        assertThat(AnnouncementSignature.isSignedBy(tenPercent, keys.getPublic()))
                .isTrue();
        assertThat(AnnouncementSignature.isSignedBy(widened, keys.getPublic())).isFalse();
        assertThat(AnnouncementSignature.payload(version(List.of("cat"))))
                .as("records without a share sign as they did before canaries existed")
                .doesNotContain("canary");
    }

    @Test
    void shouldVerifyAfterARoundTripThroughTheWireFormat() throws Exception {
        KeyPair keys = AnnouncementSignature.generate();
        ModelVersion sent = AnnouncementSignature.signed(
                ModelVersion.newBuilder(version(List.of("cat", "dog")))
                        .setCreatedTime(Instant.parse("2026-12-03T10:15:30.123456789Z"))
                        .build(),
                keys.getPrivate());

        ModelVersion received = ModelVersion.fromByteBuffer(sent.toByteBuffer());

        assertThat(AnnouncementSignature.isSignedBy(received, keys.getPublic())).isTrue();
    }

    private static ModelVersion version(List<String> classes) {
        return ModelVersion.newBuilder(SampleVersions.promoted("m", 2))
                .setBaseModelId("b")
                .setBundleUri("file:///m/v2/bundle.zip")
                .setBundleSha256(SHA)
                .setClasses(List.copyOf(classes))
                .setInputHeight(8)
                .setInputWidth(8)
                .setCreatedTime(Instant.EPOCH)
                .build();
    }
}
