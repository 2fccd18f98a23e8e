package io.imgstream.connect.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Keeps the folder source inside its roots. A symbolic link dropped into a watched folder may point anywhere; if
 * the source followed it, it would publish the bytes (inline) or at least the hash of a file it was never meant to
 * read. Links whose target stays under the root are fine, they are just another name for an image there.
 */
final class RootConfinement {

    /** What an entry found under a root is. */
    enum Entry {
        /** A regular file under the root, by itself or through a link that stays under the root. */
        IMAGE_FILE,
        /** A link whose target lies outside the root (or is missing): never read. */
        LINK_OUT_OF_ROOT,
        /** A directory, FIFO, device or anything else that is not an image. */
        OTHER
    }

    private RootConfinement() {}

    /**
     * What {@code entry} is, without reading it.
     *
     * @param realRoot the real path of the root {@code entry} was found under
     */
    static Entry classify(Path realRoot, Path entry) {
        try {
            BasicFileAttributes attributes =
                    Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isRegularFile()) {
                return Entry.IMAGE_FILE;
            }
            if (!attributes.isSymbolicLink()) {
                return Entry.OTHER;
            }
            Path target = entry.toRealPath();
            if (!target.startsWith(realRoot)) {
                return Entry.LINK_OUT_OF_ROOT;
            }
            return Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) ? Entry.IMAGE_FILE : Entry.OTHER;
        } catch (IOException e) {
            // Gone meanwhile, or a dangling link: nothing to send.
            return Entry.OTHER;
        }
    }

    /**
     * Opens {@code file} for reading if it still is a regular file under the root: it is resolved to its real path
     * and that is opened without following a link, so a link swapped in after the scan is refused, not followed.
     *
     * @param realRoot the real path of the root {@code file} was found under
     * @throws IOException if the file leads out of the root, is not a regular file, or can't be opened
     */
    static InputStream open(Path realRoot, Path file) throws IOException {
        Path real = file.toRealPath();
        if (!real.startsWith(realRoot)) {
            throw new IOException(file + " leads to " + real + ", outside the root " + realRoot);
        }
        // Checked before opening, which would block on a FIFO until a writer comes.
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(real + " is not a regular file");
        }
        return Channels.newInputStream(Files.newByteChannel(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
    }
}
