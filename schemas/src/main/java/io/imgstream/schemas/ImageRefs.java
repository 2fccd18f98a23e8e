package io.imgstream.schemas;

import io.imgstream.schemas.avro.ImageRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/**
 * Builds {@link ImageRef}s for local files.
 *
 * <p>An image's id is the first {@value #ID_HEX_DIGITS} hex digits of the sha256 of its bytes: publishing
 * the same image twice gives the same key, and a label given for an id means the same pixels everywhere.
 */
public final class ImageRefs {

    /** Length of content-derived image ids, in hex digits (80 bits). */
    public static final int ID_HEX_DIGITS = 20;
    /** Attribute naming the file an image came from. */
    public static final String FILENAME_ATTRIBUTE = "filename";

    private ImageRefs() {}

    /** The content-derived id of {@code file}. */
    public static String idOf(Path file) throws IOException {
        MessageDigest sha256 = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha256.digest()).substring(0, ID_HEX_DIGITS);
    }

    /**
     * A reference to {@code file}: a {@code file://} URI, or the bytes themselves when {@code inline}.
     *
     * @param source who publishes it, recorded in {@link ImageRef#getSource()}
     */
    public static ImageRef of(Path file, boolean inline, String source, Instant now) throws IOException {
        try (InputStream content = Files.newInputStream(file)) {
            return of(file, content, inline, source, now);
        }
    }

    /**
     * A reference to {@code file} whose bytes are read from {@code content}, which the caller opened (for example
     * without following links) and closes: the id and the inline bytes both come from this one read.
     *
     * @param file   names the image: its {@code file://} URI, file name and content type
     * @param source who publishes it, recorded in {@link ImageRef#getSource()}
     */
    public static ImageRef of(Path file, InputStream content, boolean inline, String source, Instant now)
            throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        MessageDigest sha256 = sha256();
        DigestInputStream digesting = new DigestInputStream(content, sha256);
        byte[] bytes = null;
        if (inline) {
            bytes = digesting.readAllBytes();
        } else {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        ImageRef.Builder ref = ImageRef.newBuilder()
                .setId(HexFormat.of().formatHex(sha256.digest()).substring(0, ID_HEX_DIGITS))
                .setSource(source)
                .setEventTime(now)
                .setContentType(Files.probeContentType(absolute))
                .setAttributes(Map.of(FILENAME_ATTRIBUTE, absolute.getFileName().toString()));
        if (inline) {
            ref.setUri("inline:").setInlineBytes(ByteBuffer.wrap(bytes));
        } else {
            ref.setUri(absolute.toUri().toString());
        }
        return ref.build();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
