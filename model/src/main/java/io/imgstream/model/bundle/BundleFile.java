package io.imgstream.model.bundle;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Reading a bundle file with its integrity checked first: the sha256 of the bytes on disk is compared with
 * the expected one before anything is deserialized, so a tampered or corrupt file is refused without
 * ever reaching DL4J's deserializer. Used by {@link FileSystemModelStore} and by anyone holding a bundle
 * file outside a store. Thread-safe.
 */
public final class BundleFile {

    static final int BUFFER_BYTES = 1 << 16;
    /** The largest bundle file read: its network's bound plus room for the manifest and curves. */
    public static final long MAX_BUNDLE_BYTES = ModelBundle.MAX_NETWORK_BYTES + (64L << 20);

    private static final String SHA_256 = "SHA-256";

    private BundleFile() {}

    /**
     * Reads the bundle in {@code file} after checking that its sha256 is {@code expectedSha256}.
     *
     * @throws BundleNotFoundException   if the file does not exist
     * @throws BundleIntegrityException  if the file's sha256 differs from the expected one
     * @throws BundleFormatException     if the verified file is not a readable bundle
     * @throws IllegalArgumentException  if {@code expectedSha256} is not 64 hex digits
     */
    public static ModelBundle readVerified(Path file, String expectedSha256) {
        String expected = StoredBundle.requireSha256(expectedSha256.toLowerCase(Locale.ROOT));
        requireBoundedRegularFile(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            String actual = sha256(Channels.newInputStream(channel));
            if (!actual.equals(expected)) {
                throw new BundleIntegrityException("bundle " + file + " has sha256 " + actual + " but " + expected
                        + " was expected; the file changed after it was stored (corruption or tampering). Nothing was"
                        + " loaded: restore the file from a backup or save and publish a new version");
            }
            channel.position(0);
            return ModelBundle.readFrom(new BufferedInputStream(Channels.newInputStream(channel), BUFFER_BYTES));
        } catch (NoSuchFileException e) {
            throw new BundleNotFoundException("no bundle file at " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /**
     * Reads the bundle in {@code file} without an integrity check, for bundles whose hash nobody recorded.
     *
     * @throws BundleNotFoundException if the file does not exist
     * @throws BundleFormatException   if the file is not a readable bundle
     */
    public static ModelBundle readUnverified(Path file) {
        requireBoundedRegularFile(file);
        try (InputStream in =
                new BufferedInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), BUFFER_BYTES)) {
            return ModelBundle.readFrom(in);
        } catch (NoSuchFileException e) {
            throw new BundleNotFoundException("no bundle file at " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /**
     * Reads only the manifest of the bundle in {@code file}, without an integrity check and without
     * deserializing the network (see {@link ModelBundle#readManifest}).
     *
     * @throws BundleNotFoundException if the file does not exist
     * @throws BundleFormatException   if the file does not start with a valid manifest
     */
    public static BundleManifest readManifest(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES)) {
            return ModelBundle.readManifest(in);
        } catch (NoSuchFileException e) {
            throw new BundleNotFoundException("no bundle file at " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /**
     * Refuses, before anything is opened, a path that is not a regular file (a link, a device such as
     * {@code /dev/zero}, a FIFO that would block the reader) or is larger than {@link #MAX_BUNDLE_BYTES}.
     *
     * @throws BundleNotFoundException if nothing is there
     * @throws BundleFormatException   if it is not a regular file of a bounded size
     */
    private static void requireBoundedRegularFile(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new BundleNotFoundException("no bundle file at " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the attributes of " + file, e);
        }
        if (!attributes.isRegularFile()) {
            throw new BundleFormatException(file + " is not a regular file (a link, a directory or a device); "
                    + "bundles are read only from regular files");
        }
        if (attributes.size() > MAX_BUNDLE_BYTES) {
            throw new BundleFormatException(file + " has " + attributes.size() + " bytes, more than a bundle may ("
                    + MAX_BUNDLE_BYTES + "); refused unread");
        }
    }

    /** The lowercase hex sha256 of {@code file}'s bytes. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest digest = sha256Digest();
        byte[] buffer = new byte[BUFFER_BYTES];
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
            digest.update(buffer, 0, read);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance(SHA_256);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide " + SHA_256, e);
        }
    }
}
