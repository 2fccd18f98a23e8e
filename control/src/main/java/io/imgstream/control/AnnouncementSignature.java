package io.imgstream.control;

import io.imgstream.schemas.avro.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/**
 * Ed25519 signatures of model-version announcements. The publisher signs the whole announcement
 * ({@link #payload}: model, version, status, bundle location and sha256, base, classes, input, parent), so a scorer
 * holding the public key trusts nothing of it unsigned: not the sha256 it then verifies the bundle file against,
 * not where the file is, not the status that decides which key the record acts under (a REJECTED version re-keyed
 * as current fails). Keys are PEM files: PKCS#8 {@code PRIVATE KEY} and X.509 {@code PUBLIC KEY}, as
 * {@code openssl genpkey -algorithm ed25519} writes them.
 *
 * <p>Stateless and thread-safe.
 */
public final class AnnouncementSignature {

    private static final String ALGORITHM = "Ed25519";
    /** Names the payload's layout, so that a later layout can never verify as this one. */
    private static final String PAYLOAD_VERSION = "imgstream-announcement-v1";

    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AnnouncementSignature() {}

    /** A new key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM from 15 on has Ed25519", e);
        }
    }

    /** {@code version} with its signature under {@code key} in {@code bundleSignature}. */
    public static ModelVersion signed(ModelVersion version, PrivateKey key) {
        return ModelVersion.newBuilder(version)
                .setBundleSignature(sign(key, payload(version)))
                .build();
    }

    /** Whether {@code version} carries {@code key}'s signature of what it announces; false when unsigned. */
    public static boolean isSignedBy(ModelVersion version, PublicKey key) {
        CharSequence signature = version.getBundleSignature();
        return signature != null && verify(key, payload(version), signature.toString());
    }

    /**
     * What a signature covers: every field of the announcement but the signature itself, the metrics and the
     * rollout decision (figures, not instructions), each as {@code name=length:value} on its own line, so that no
     * two announcements give the same text. A canary's share is covered, but only where there is one, so the
     * payloads of the records that had no share before it existed stay as they were.
     */
    static String payload(ModelVersion version) {
        StringBuilder text = new StringBuilder(PAYLOAD_VERSION).append('\n');
        field(text, "model", version.getModelName());
        field(text, "version", version.getVersion());
        field(text, "status", version.getStatus());
        field(text, "bundle.uri", version.getBundleUri());
        field(text, "bundle.sha256", version.getBundleSha256());
        field(text, "base", version.getBaseModelId());
        field(text, "classes.count", version.getClasses().size());
        version.getClasses().forEach(label -> field(text, "class", label));
        field(
                text,
                "input",
                version.getInputHeight() + "x" + version.getInputWidth() + "x" + version.getInputChannels());
        field(text, "preprocessing", version.getPreprocessing());
        field(text, "resize", version.getResizePolicy());
        field(text, "parent", version.getParentVersion());
        // As the wire carries it (timestamp-millis): a signature made before sending must verify after reading.
        field(text, "created", version.getCreatedTime().toEpochMilli());
        if (version.getCanaryPercent() != null) {
            field(text, "canary.percent", version.getCanaryPercent());
        }
        return text.toString();
    }

    private static void field(StringBuilder text, String name, Object value) {
        String shown = String.valueOf(value);
        text.append(name)
                .append('=')
                .append(shown.length())
                .append(':')
                .append(shown)
                .append('\n');
    }

    /** The Base64 signature of {@code text}. */
    static String sign(PrivateKey key, String text) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "could not sign with this key (" + e.getMessage() + "); it must be Ed25519", e);
        }
    }

    /** Whether {@code signatureBase64} is {@code key}'s signature of {@code text}; false for anything malformed. */
    static boolean verify(PublicKey key, String text, String signatureBase64) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(text.getBytes(StandardCharsets.UTF_8));
            return signature.verify(Base64.getDecoder().decode(signatureBase64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Reads a PKCS#8 PEM private key.
     *
     * @throws IllegalArgumentException if the file is not one, or not Ed25519
     */
    public static PrivateKey readPrivateKey(Path pem) {
        try {
            return KeyFactory.getInstance(ALGORITHM)
                    .generatePrivate(new PKCS8EncodedKeySpec(decode(pem, PRIVATE_LABEL)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pem + " is not an Ed25519 private key (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads an X.509 PEM public key.
     *
     * @throws IllegalArgumentException if the file is not one, or not Ed25519
     */
    public static PublicKey readPublicKey(Path pem) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(decode(pem, PUBLIC_LABEL)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pem + " is not an Ed25519 public key (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Writes both keys as new PEM files (their directory is created if needed); the private one is created readable
     * by its owner only where the file system allows, so it is never readable by others, not even for a moment.
     *
     * @throws UncheckedIOException if a file exists already or can't be written
     */
    public static void write(KeyPair keys, Path privatePem, Path publicPem) {
        try {
            Files.createDirectories(privatePem.toAbsolutePath().getParent());
            Files.createDirectories(publicPem.toAbsolutePath().getParent());
            try {
                Files.createFile(privatePem, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: its own access rules apply.
                Files.createFile(privatePem);
            }
            Files.writeString(privatePem, pem(PRIVATE_LABEL, keys.getPrivate().getEncoded()));
            Files.writeString(
                    publicPem,
                    pem(PUBLIC_LABEL, keys.getPublic().getEncoded()),
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the keys to " + privatePem + " and " + publicPem, e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    private static byte[] decode(Path pem, String label) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("could not read the key file " + pem + " (" + e.getMessage() + ")", e);
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(pem + " holds no '" + begin + "' block");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(pem + ": the " + label + " block is not Base64", e);
        }
    }
}
