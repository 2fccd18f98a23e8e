package io.imgstream.model.bases;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The size, sha256 and md5 of a file or of a directory's files (in path order), streamed: weights run to hundreds of
 * MB. md5 only because Keras publishes md5 checksums for its downloads.
 */
record FileDigests(long bytes, String sha256, String md5) {

    private static final int BUFFER_BYTES = 1 << 16;

    static FileDigests of(Path path) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(path)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        MessageDigest sha256 = digest("SHA-256");
        MessageDigest md5 = digest("MD5");
        long bytes = 0;
        byte[] buffer = new byte[BUFFER_BYTES];
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                int read;
                while ((read = in.read(buffer)) > 0) {
                    sha256.update(buffer, 0, read);
                    md5.update(buffer, 0, read);
                    bytes += read;
                }
            }
        }
        return new FileDigests(
                bytes, HexFormat.of().formatHex(sha256.digest()), HexFormat.of().formatHex(md5.digest()));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide " + algorithm, e);
        }
    }
}
