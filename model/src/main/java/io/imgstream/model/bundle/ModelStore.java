package io.imgstream.model.bundle;

import java.net.URI;
import java.util.List;

/**
 * Keeps model bundles by model name and version. Versions are immutable: once saved, a version's
 * bytes never change. Loading always verifies a SHA-256 that the caller got from a trusted place
 * (e.g. the model registry topic) before any byte is deserialized.
 *
 * <p>Implementations must be safe for concurrent use.
 */
public interface ModelStore {

    /**
     * Stores a bundle under its manifest's model name and version. Saving the same bundle again is
     * a no-op that returns the same result.
     *
     * @param bundle the bundle
     * @return where it is stored, with its SHA-256 and size
     * @throws BundleVersionConflictException if that version is already stored with other content
     * @throws java.io.UncheckedIOException   if the store can't be written
     */
    StoredBundle save(ModelBundle bundle);

    /**
     * Loads a bundle after checking its SHA-256.
     *
     * @param bundleUri      a URI returned in {@link StoredBundle#uri()} by this store
     * @param expectedSha256 the SHA-256 the bundle must have, 64 hex digits
     * @return the bundle
     * @throws BundleNotFoundException   if there is no bundle at that URI
     * @throws BundleIntegrityException  if the SHA-256 differs; nothing was deserialized
     * @throws BundleFormatException     if the bytes match but are not a valid bundle
     * @throws IllegalArgumentException  if the URI does not belong to this store
     * @throws java.io.UncheckedIOException if the store can't be read
     */
    ModelBundle load(URI bundleUri, String expectedSha256);

    /**
     * Lists the stored bundles.
     *
     * @return all bundles, by model name, then version
     * @throws java.io.UncheckedIOException if the store can't be read
     */
    List<StoredBundle> list();
}
