package io.imgstream.model.bundle;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link ModelStore} on a local or mounted file system. Layout:
 * {@code <root>/<modelName>/v<version>/bundle.zip}; URIs are absolute {@code file:} URIs.
 *
 * <p><strong>Saving is atomic:</strong> the bundle is written to a temporary file in the target
 * directory, forced to disk, then renamed over the final name with {@link
 * StandardCopyOption#ATOMIC_MOVE}, and the directory is forced too where the platform allows it.
 * Readers see either no bundle or the whole bundle. A crash can leave a hidden
 * {@code .bundle-*.zip.tmp} file behind, which {@link #list()} ignores. A version that exists
 * with the same bytes is left alone; with other bytes, saving fails.
 *
 * <p><strong>Loading is verified:</strong> the URI must point, once normalised, to a regular file
 * under the root with no symbolic link anywhere between the root and the file (a link inside the
 * store could point anywhere later), and the file's SHA-256 is compared with the expected one
 * before anything is deserialized. The hash and the read use the same open file, so a concurrent
 * rename can't swap the bytes in between.
 *
 * <p>Thread-safe. Saves from one instance are serialised; the store assumes one writing process
 * per model name (the training worker), as concurrent writers in several processes could each find
 * a version free and the last rename would win.
 */
public final class FileSystemModelStore implements ModelStore {

    /** File name of a bundle inside its version directory. */
    public static final String BUNDLE_FILE = "bundle.zip";

    /**
     * The root every component uses unless told otherwise (the training worker's and the scorer's
     * {@code model.store}, the CLI's {@code --store}), relative to the working directory: inside the local
     * stack's default work directory.
     */
    public static final String DEFAULT_ROOT = ".imgstream/models";

    private static final String VERSION_PREFIX = "v";
    private static final Pattern VERSION_DIRECTORY = Pattern.compile(VERSION_PREFIX + "([1-9][0-9]{0,8})");
    private static final String TEMP_PREFIX = ".bundle-";
    private static final String TEMP_SUFFIX = ".zip.tmp";
    private static final String FILE_SCHEME = "file";

    private final Path root;
    private final Object saveLock = new Object();

    /**
     * Creates a store; the root directory is created on the first save.
     *
     * @param root the store's root directory
     */
    public FileSystemModelStore(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /**
     * Returns the root directory.
     *
     * @return the absolute, normalised root
     */
    public Path root() {
        return root;
    }

    /**
     * Returns where a version is or would be stored.
     *
     * @param modelName the model name
     * @param version   the version
     * @return {@code <root>/<modelName>/v<version>/bundle.zip}
     */
    public Path bundlePath(String modelName, int version) {
        return root.resolve(modelName).resolve(VERSION_PREFIX + version).resolve(BUNDLE_FILE);
    }

    @Override
    public StoredBundle save(ModelBundle bundle) {
        Objects.requireNonNull(bundle, "bundle");
        BundleManifest manifest = bundle.manifest();
        Path target = bundlePath(manifest.modelName(), manifest.version());
        Path directory = target.getParent();
        synchronized (saveLock) {
            Path temp = null;
            try {
                Files.createDirectories(directory);
                temp = Files.createTempFile(directory, TEMP_PREFIX, TEMP_SUFFIX);
                MessageDigest digest = BundleFile.sha256Digest();
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                        OutputStream out = new DigestOutputStream(
                                new BufferedOutputStream(Channels.newOutputStream(channel), BundleFile.BUFFER_BYTES),
                                digest)) {
                    bundle.writeTo(out);
                    out.flush();
                    channel.force(true);
                }
                String sha256 = HexFormat.of().formatHex(digest.digest());
                long size = Files.size(temp);
                StoredBundle stored =
                        new StoredBundle(manifest.modelName(), manifest.version(), target.toUri(), sha256, size);
                if (Files.exists(target)) {
                    String existing = BundleFile.sha256(target);
                    if (existing.equals(sha256)) {
                        return stored;
                    }
                    throw new BundleVersionConflictException(manifest.modelName() + " v" + manifest.version()
                            + " is already stored at " + target + " with sha256 " + existing
                            + "; the new bundle has sha256 "
                            + sha256 + ". Versions are immutable: save it as a new version");
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                forceDirectory(directory);
                return stored;
            } catch (IOException e) {
                throw saveFailed(manifest, target, e);
            } catch (UncheckedIOException e) {
                // Writing the bundle itself (a full disk, say) fails unchecked.
                throw saveFailed(manifest, target, e.getCause());
            } finally {
                deleteQuietly(temp);
            }
        }
    }

    private static UncheckedIOException saveFailed(BundleManifest manifest, Path target, IOException cause) {
        return new UncheckedIOException(
                "could not save " + manifest.modelName() + " v" + manifest.version() + " to " + target + " ("
                        + cause.getMessage() + ")",
                cause);
    }

    @Override
    public ModelBundle load(URI bundleUri, String expectedSha256) {
        Objects.requireNonNull(bundleUri, "bundleUri");
        String expected = StoredBundle.requireSha256(
                Objects.requireNonNull(expectedSha256, "expectedSha256").toLowerCase(Locale.ROOT));
        Path path = resolveInsideRoot(bundleUri);
        Location location = parseLocation(bundleUri, path);
        Path realPath;
        try {
            realPath = path.toRealPath();
            Path realRoot = root.toRealPath();
            // The root itself may sit below a link (a mounted volume, /tmp on some systems); below it, nothing may.
            if (!realPath.equals(realRoot.resolve(root.relativize(path)))) {
                throw new IllegalArgumentException(bundleUri + " resolves through a symbolic link to " + realPath
                        + "; the store reads bundles only through real directories below its root " + root
                        + ", refusing to read it");
            }
        } catch (NoSuchFileException e) {
            throw new BundleNotFoundException(
                    "no bundle at " + path + " (from " + bundleUri
                            + "); it was never saved here, or was removed: check the store root " + root,
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not resolve " + path, e);
        }
        if (!Files.isRegularFile(realPath)) {
            throw new BundleNotFoundException("no bundle file at " + path + " (it exists but is not a regular file)");
        }
        ModelBundle bundle = BundleFile.readVerified(realPath, expected);
        BundleManifest manifest = bundle.manifest();
        if (!manifest.modelName().equals(location.modelName()) || manifest.version() != location.version()) {
            throw new BundleFormatException("bundle " + path + " declares " + manifest.modelName() + " v"
                    + manifest.version() + " but is stored as " + location.modelName() + " v" + location.version()
                    + "; the file was copied to the wrong place");
        }
        return bundle;
    }

    @Override
    public List<StoredBundle> list() {
        List<StoredBundle> bundles = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return bundles;
        }
        try (DirectoryStream<Path> models = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path model : models) {
                String name = model.getFileName().toString();
                if (!BundleManifest.MODEL_NAME_PATTERN.matcher(name).matches()) {
                    continue;
                }
                try (DirectoryStream<Path> versions = Files.newDirectoryStream(model, Files::isDirectory)) {
                    for (Path versionDirectory : versions) {
                        Matcher version = VERSION_DIRECTORY.matcher(
                                versionDirectory.getFileName().toString());
                        Path file = versionDirectory.resolve(BUNDLE_FILE);
                        if (version.matches() && Files.isRegularFile(file)) {
                            bundles.add(new StoredBundle(
                                    name,
                                    Integer.parseInt(version.group(1)),
                                    file.toUri(),
                                    BundleFile.sha256(file),
                                    Files.size(file)));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list bundles under " + root, e);
        }
        bundles.sort(Comparator.comparing(StoredBundle::modelName).thenComparingInt(StoredBundle::version));
        return bundles;
    }

    private Path resolveInsideRoot(URI uri) {
        if (!FILE_SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("bundle URI " + uri + " has scheme '" + uri.getScheme()
                    + "'; this store holds file: URIs under " + root);
        }
        Path path;
        try {
            path = Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            throw new IllegalArgumentException("bundle URI " + uri + " is not a usable file URI: " + e.getMessage(), e);
        }
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("bundle URI " + uri + " points to " + path + ", outside the store root "
                    + root + "; refusing to read it");
        }
        return path;
    }

    private Location parseLocation(URI uri, Path path) {
        Path relative = root.relativize(path);
        if (relative.getNameCount() == 3
                && BUNDLE_FILE.equals(relative.getName(2).toString())) {
            String modelName = relative.getName(0).toString();
            Matcher version = VERSION_DIRECTORY.matcher(relative.getName(1).toString());
            if (version.matches()
                    && BundleManifest.MODEL_NAME_PATTERN.matcher(modelName).matches()) {
                return new Location(modelName, Integer.parseInt(version.group(1)));
            }
        }
        throw new IllegalArgumentException(
                "bundle URI " + uri + " does not name <root>/<model>/v<version>/" + BUNDLE_FILE + " under " + root);
    }

    /** The model name and version that a bundle's path says it holds. */
    private record Location(String modelName, int version) {}

    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms can't open or sync directories; the rename itself is still atomic there.
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover hidden temp file is ignored by list() and must not hide the real outcome.
            }
        }
    }
}
