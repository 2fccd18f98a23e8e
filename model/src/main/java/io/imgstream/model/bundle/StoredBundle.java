package io.imgstream.model.bundle;

import java.net.URI;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Where a {@link ModelStore} keeps one bundle version and how to check it.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if the version is below 1, the
 * digest is not 64 lower-case hex digits or the size is negative.
 *
 * @param modelName the model name
 * @param version   the model version, 1 or higher
 * @param uri       where the bundle is, in a form the same store's {@link ModelStore#load} accepts
 * @param sha256    SHA-256 of the stored bundle file, 64 lower-case hex digits
 * @param sizeBytes size of the stored bundle file in bytes
 */
public record StoredBundle(String modelName, int version, URI uri, String sha256, long sizeBytes) {

    /** Length of a SHA-256 digest in hex digits. */
    public static final int SHA256_HEX_LENGTH = 64;

    public StoredBundle {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(uri, "uri");
        if (version < 1) {
            throw new IllegalArgumentException("version must be 1 or higher, was " + version);
        }
        requireSha256(sha256);
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must not be negative, was " + sizeBytes);
        }
    }

    static String requireSha256(String sha256) {
        Objects.requireNonNull(sha256, "sha256");
        if (sha256.length() != SHA256_HEX_LENGTH
                || !sha256.chars().allMatch(c -> HexFormat.isHexDigit(c) && !Character.isUpperCase(c))) {
            throw new IllegalArgumentException(
                    "a SHA-256 must be " + SHA256_HEX_LENGTH + " lower-case hex digits, was '" + sha256 + "'");
        }
        return sha256;
    }
}
