package io.imgstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleSignatureTest {

    private static final String SHA = "a".repeat(64);

    @TempDir
    Path temp;

    @Test
    void shouldVerifyOnlyTheSignedShaUnderTheSigningKey() {
        KeyPair keys = BundleSignature.generate();
        String signature = BundleSignature.sign(keys.getPrivate(), SHA);

        assertThat(BundleSignature.verify(keys.getPublic(), SHA, signature)).isTrue();
        assertThat(BundleSignature.verify(keys.getPublic(), "b".repeat(64), signature))
                .as("another bundle")
                .isFalse();
        assertThat(BundleSignature.verify(BundleSignature.generate().getPublic(), SHA, signature))
                .as("another key")
                .isFalse();
        assertThat(BundleSignature.verify(keys.getPublic(), SHA, "not base64!")).isFalse();
    }

    @Test
    void shouldReadBackThePemFilesItWrites() throws Exception {
        KeyPair keys = BundleSignature.generate();
        Path privatePem = temp.resolve("key.pem");
        Path publicPem = temp.resolve("key.pub.pem");

        BundleSignature.write(keys, privatePem, publicPem);

        assertThat(Files.readString(privatePem)).startsWith("-----BEGIN PRIVATE KEY-----");
        String signature = BundleSignature.sign(BundleSignature.readPrivateKey(privatePem), SHA);
        assertThat(BundleSignature.verify(BundleSignature.readPublicKey(publicPem), SHA, signature))
                .isTrue();
        assertThatThrownBy(() -> BundleSignature.readPublicKey(privatePem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no '-----BEGIN PUBLIC KEY-----' block");
    }
}
