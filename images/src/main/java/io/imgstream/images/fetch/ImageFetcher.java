package io.imgstream.images.fetch;

import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Turns an untrusted {@link ImageRef} into the encoded bytes of its image, enforcing the allowed schemes,
 * the allowed file roots and the size cap.
 *
 * <p>{@code file:} references are resolved twice: the normalised path must lie under an allowed root
 * (which defeats {@code ..}), and so must its real path (which defeats symbolic links pointing out). The file is
 * then opened once, walking down from the root one directory at a time without following any link, so a link
 * swapped in after the check leads nowhere; only a regular file is opened (a FIFO would block the reader), and at
 * most the size cap is read.
 * {@code inline:} references carry their bytes in the record; {@code http(s):} references go to the
 * {@link HttpImageFetcher} and its host allow-list. Nothing else is fetched.
 *
 * <p>Thread-safe and stateless.
 */
public final class ImageFetcher {

    /** Scheme of references whose bytes travel inside the record. */
    public static final String INLINE_SCHEME = "inline";
    /** Scheme of references to local files. */
    public static final String FILE_SCHEME = "file";
    /** Schemes of references fetched over HTTP, from allow-listed hosts. */
    public static final List<String> HTTP_SCHEMES = List.of("http", "https");

    private static final Set<OpenOption> READ_NO_FOLLOW = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

    private final Set<String> allowedSchemes;
    private final List<Path> allowedRoots;
    private final int maxBytes;
    private final HttpImageFetcher http;

    /**
     * A fetcher of file and inline references only.
     *
     * @param allowedSchemes lower-case schemes that may be fetched
     * @param allowedRoots   directories that file references must lie under
     * @param maxBytes       largest encoded image, in bytes
     */
    public ImageFetcher(Set<String> allowedSchemes, List<Path> allowedRoots, int maxBytes) {
        this(allowedSchemes, allowedRoots, maxBytes, null);
    }

    /**
     * @param allowedSchemes lower-case schemes that may be fetched
     * @param allowedRoots   directories that file references must lie under
     * @param maxBytes       largest encoded image, in bytes
     * @param http           fetches http(s) references; null refuses them
     */
    public ImageFetcher(Set<String> allowedSchemes, List<Path> allowedRoots, int maxBytes, HttpImageFetcher http) {
        this.allowedSchemes = Set.copyOf(allowedSchemes);
        this.allowedRoots =
                allowedRoots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.maxBytes = maxBytes;
        this.http = http;
    }

    /**
     * Reads the encoded image {@code ref} points to.
     *
     * @throws FetchException if the reference is malformed or not allowed, or the image is missing,
     *                        unreadable or too large
     */
    public byte[] fetch(ImageRef ref) throws FetchException {
        String scheme = schemeOf(ref);
        if (!allowedSchemes.contains(scheme)) {
            throw new FetchException(
                    DeadLetterStage.VALIDATE,
                    DeadLetterReason.SCHEME_NOT_ALLOWED,
                    "image " + ref.getId() + ": scheme '" + scheme + "' is not allowed (allowed: " + allowedSchemes
                            + "); publish a file:// or inline: reference, or allow the scheme in "
                            + "fetch.allowed.schemes");
        }
        if (HTTP_SCHEMES.contains(scheme) && http != null) {
            return http.fetch(ref.getId(), httpUri(ref));
        }
        return switch (scheme) {
            case INLINE_SCHEME -> inlineBytes(ref);
            case FILE_SCHEME -> fileBytes(ref);
            default ->
                throw new FetchException(
                        DeadLetterStage.VALIDATE,
                        DeadLetterReason.SCHEME_NOT_ALLOWED,
                        "image " + ref.getId() + ": scheme '" + scheme + "' has no fetcher");
        };
    }

    private static String schemeOf(ImageRef ref) throws FetchException {
        String uri = ref.getUri();
        int colon = uri == null ? -1 : uri.indexOf(':');
        if (colon <= 0) {
            throw new FetchException(
                    DeadLetterStage.VALIDATE,
                    DeadLetterReason.INVALID_URI,
                    "image " + ref.getId() + ": reference '" + uri
                            + "' has no scheme; expected file:///path/to/image or inline:");
        }
        return uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    private static URI httpUri(ImageRef ref) throws FetchException {
        try {
            return URI.create(ref.getUri());
        } catch (IllegalArgumentException e) {
            throw new FetchException(
                    DeadLetterStage.VALIDATE,
                    DeadLetterReason.INVALID_URI,
                    "image " + ref.getId() + ": '" + ref.getUri() + "' is not a valid URI (" + e.getMessage() + ")",
                    e);
        }
    }

    private byte[] inlineBytes(ImageRef ref) throws FetchException {
        ByteBuffer inline = ref.getInlineBytes();
        if (inline == null) {
            throw new FetchException(
                    DeadLetterStage.VALIDATE,
                    DeadLetterReason.INVALID_URI,
                    "image " + ref.getId()
                            + ": uri is inline: but inlineBytes is empty; put the encoded image in inlineBytes");
        }
        ByteBuffer copy = inline.duplicate();
        requireSize(ref, copy.remaining());
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private byte[] fileBytes(ImageRef ref) throws FetchException {
        Path path = toPath(ref);
        if (!isUnderAllowedRoot(path)) {
            throw notAllowed(ref, path);
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.NOT_FOUND,
                    "image " + ref.getId() + ": file " + path + " does not exist",
                    e);
        } catch (IOException e) {
            throw unreadable(ref, path, e);
        }
        Path realRoot = allowedRealRootOf(real).orElseThrow(() -> notAllowed(ref, real));
        Path relative = realRoot.relativize(real);
        if (relative.toString().isEmpty()) {
            throw notARegularFile(ref, real);
        }
        try (DirectoryStream<Path> root = Files.newDirectoryStream(realRoot)) {
            if (root instanceof SecureDirectoryStream<Path> secureRoot) {
                return readUnder(secureRoot, relative, ref, real);
            }
            // No openat on this platform (Windows): the last step at least follows no link.
            return readChecked(
                    ref,
                    real,
                    () -> Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS),
                    () -> Files.newByteChannel(real, READ_NO_FOLLOW));
        } catch (IOException e) {
            throw unreadable(ref, real, e);
        }
    }

    /** Descends one directory of {@code relative} at a time, each opened without following a link. */
    private byte[] readUnder(SecureDirectoryStream<Path> directory, Path relative, ImageRef ref, Path real)
            throws IOException, FetchException {
        if (relative.getNameCount() == 1) {
            return readChecked(
                    ref,
                    real,
                    () -> directory
                            .getFileAttributeView(relative, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .readAttributes(),
                    () -> directory.newByteChannel(relative, READ_NO_FOLLOW));
        }
        try (SecureDirectoryStream<Path> child =
                directory.newDirectoryStream(relative.getName(0), LinkOption.NOFOLLOW_LINKS)) {
            return readUnder(child, relative.subpath(1, relative.getNameCount()), ref, real);
        }
    }

    /**
     * Opens the file only if it is a regular one within the cap, and reads it only if it is still the file checked.
     * The type is checked before opening because opening a FIFO for reading blocks until a writer comes.
     */
    private byte[] readChecked(ImageRef ref, Path real, Attributes attributes, Opener opener)
            throws IOException, FetchException {
        BasicFileAttributes checked = attributes.read();
        if (!checked.isRegularFile()) {
            throw notARegularFile(ref, real);
        }
        requireSize(ref, checked.size());
        try (SeekableByteChannel channel = opener.open()) {
            BasicFileAttributes opened = attributes.read();
            if (!opened.isRegularFile() || !Objects.equals(checked.fileKey(), opened.fileKey())) {
                throw new FetchException(
                        DeadLetterStage.FETCH,
                        DeadLetterReason.UNREADABLE,
                        "image " + ref.getId() + ": " + real + " was replaced while it was being opened");
            }
            return readAtMost(channel, ref);
        }
    }

    /** Reads a file's attributes without following a link. */
    @FunctionalInterface
    private interface Attributes {
        BasicFileAttributes read() throws IOException;
    }

    /** Opens a file for reading without following a link. */
    @FunctionalInterface
    private interface Opener {
        SeekableByteChannel open() throws IOException;
    }

    private Path toPath(ImageRef ref) throws FetchException {
        try {
            URI uri = URI.create(ref.getUri());
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("a file URI must not have a query or fragment");
            }
            return Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            throw new FetchException(
                    DeadLetterStage.VALIDATE,
                    DeadLetterReason.INVALID_URI,
                    "image " + ref.getId() + ": '" + ref.getUri() + "' is not a valid file URI (" + e.getMessage()
                            + "); expected file:///absolute/path",
                    e);
        }
    }

    private boolean isUnderAllowedRoot(Path path) {
        return allowedRoots.stream().anyMatch(path::startsWith);
    }

    /** The real path of the allowed root {@code real} lies under, if any. */
    private Optional<Path> allowedRealRootOf(Path real) {
        for (Path root : allowedRoots) {
            try {
                Path realRoot = root.toRealPath();
                if (real.startsWith(realRoot)) {
                    return Optional.of(realRoot);
                }
            } catch (IOException missingRoot) {
                // A configured root that doesn't exist can't contain anything.
            }
        }
        return Optional.empty();
    }

    private static FetchException notARegularFile(ImageRef ref, Path path) {
        return new FetchException(
                DeadLetterStage.FETCH,
                DeadLetterReason.UNREADABLE,
                "image " + ref.getId() + ": " + path + " is not a regular file");
    }

    private FetchException notAllowed(ImageRef ref, Path path) {
        return new FetchException(
                DeadLetterStage.VALIDATE,
                DeadLetterReason.PATH_NOT_ALLOWED,
                "image " + ref.getId() + ": " + path + " is outside the allowed roots " + allowedRoots
                        + "; add its directory to fetch.allowed.roots");
    }

    /** An I/O error: a disk or network mount that failed, a permission an operator may yet fix; worth a retry. */
    private static FetchException unreadable(ImageRef ref, Path path, IOException e) {
        return FetchException.sourceFailed(
                DeadLetterReason.UNREADABLE, "image " + ref.getId() + ": cannot read " + path + ": " + e, e);
    }

    private void requireSize(ImageRef ref, long size) throws FetchException {
        if (size > maxBytes) {
            throw new FetchException(
                    DeadLetterStage.FETCH,
                    DeadLetterReason.TOO_LARGE,
                    String.format(
                            Locale.ROOT,
                            "image %s: %.1f MiB exceeds fetch.max.bytes=%d; raise fetch.max.bytes or resize upstream",
                            ref.getId(),
                            size / 1048576.0,
                            maxBytes));
        }
    }

    /** Reads no more than the cap even if the file grows between the size check and the read. */
    private byte[] readAtMost(SeekableByteChannel channel, ImageRef ref) throws IOException, FetchException {
        byte[] bytes = Channels.newInputStream(channel).readNBytes(maxBytes + 1);
        requireSize(ref, bytes.length);
        return bytes;
    }
}
