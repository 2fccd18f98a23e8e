package io.imgstream.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * Ed25519 signatures of bundles: the publisher signs a bundle's sha256 (its hex text, UTF-8); a scorer holding the
 * public key checks the signature before it trusts the sha256 it then verifies the file against. Keys are PEM
 * files: PKCS#8 {@code PRIVATE KEY} and X.509 {@code PUBLIC KEY}, as {@code openssl genpkey -algorithm ed25519}
 * writes them.
 *
 * <p>Stateless and thread-safe.
 */
public final class BundleSignature {

    private static final String ALGORITHM = "Ed25519";
    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";

    private BundleSignature() {}

    /** A new key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM from 15 on has Ed25519", e);
        }
    }

    /** The Base64 signature of {@code sha256Hex}. */
    public static String sign(PrivateKey key, String sha256Hex) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(sha256Hex.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "could not sign with this key (" + e.getMessage() + "); it must be Ed25519", e);
        }
    }

    /**
     * Whether {@code signatureBase64} is {@code key}'s signature of {@code sha256Hex}; false for anything malformed.
     */
    public static boolean verify(PublicKey key, String sha256Hex, String signatureBase64) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initVerify(key);
            signature.update(sha256Hex.getBytes(StandardCharsets.UTF_8));
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

    /** Writes both keys as PEM files; the private one readable by its owner only where the file system allows. */
    public static void write(KeyPair keys, Path privatePem, Path publicPem) {
        try {
            Files.writeString(privatePem, pem(PRIVATE_LABEL, keys.getPrivate().getEncoded()));
            try {
                Files.setPosixFilePermissions(privatePem, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: its own access rules apply.
            }
            Files.writeString(publicPem, pem(PUBLIC_LABEL, keys.getPublic().getEncoded()));
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
