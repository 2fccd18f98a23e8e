package io.imgstream.training.fit;

import io.imgstream.images.decode.TargetSize;
import io.imgstream.model.base.BaseModelId;
import io.imgstream.model.features.BottleneckFeatures;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Bottleneck features kept on disk, one small file per image and base, so a second {@code fit} on the same images
 * (another head, fine-tuning, a resumed run) computes none again. The key is the base's id, the size images are
 * decoded for, and the image file's path, size and modification time: an edited image gets new features. Files are
 * written to a temporary name and renamed, so a killed fit leaves no half-written entry; an unreadable entry counts
 * as a miss.
 */
final class FeatureFiles {

    private static final int MAX_RANK = 8;

    private final Path dir;
    private final BaseModelId base;
    private final TargetSize decodedFor;

    /**
     * @param decodedFor the size large images are decoded for: features of an image decoded otherwise differ a little
     */
    FeatureFiles(Path dir, BaseModelId base, TargetSize decodedFor) {
        this.dir = dir;
        this.base = base;
        this.decodedFor = decodedFor;
    }

    Optional<BottleneckFeatures> read(Path image) throws IOException {
        Path entry = entry(image);
        if (!Files.isRegularFile(entry)) {
            return Optional.empty();
        }
        try (InputStream file = Files.newInputStream(entry);
                DataInputStream in = new DataInputStream(new BufferedInputStream(file))) {
            int rank = in.readInt();
            if (rank < 1 || rank > MAX_RANK) {
                return Optional.empty();
            }
            long[] shape = new long[rank];
            long length = 1;
            for (int i = 0; i < rank; i++) {
                shape[i] = in.readLong();
                length *= shape[i];
            }
            if (length <= 0 || length * Float.BYTES != Files.size(entry) - Integer.BYTES - (long) rank * Long.BYTES) {
                return Optional.empty();
            }
            float[] values = new float[(int) length];
            for (int i = 0; i < values.length; i++) {
                values[i] = in.readFloat();
            }
            return Optional.of(new BottleneckFeatures(values, shape));
        }
    }

    void write(Path image, BottleneckFeatures features) throws IOException {
        Files.createDirectories(dir);
        Path entry = entry(image);
        Path temporary = Files.createTempFile(dir, "features-", ".tmp");
        try (OutputStream file = Files.newOutputStream(temporary);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(file))) {
            long[] shape = features.shape();
            out.writeInt(shape.length);
            for (long dimension : shape) {
                out.writeLong(dimension);
            }
            for (float value : features.values()) {
                out.writeFloat(value);
            }
        }
        Files.move(temporary, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path entry(Path image) throws IOException {
        String key = base + "\ndecoded for " + decodedFor.width() + "x" + decodedFor.height() + "\n"
                + image.toAbsolutePath().normalize() + "\n" + Files.size(image) + "\n"
                + Files.getLastModifiedTime(image).toMillis();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(digest) + ".f32");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
