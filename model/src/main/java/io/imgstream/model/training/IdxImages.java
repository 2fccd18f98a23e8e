package io.imgstream.model.training;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.io.output.CloseShieldOutputStream;

/**
 * Reads and writes labelled images in the idx format of MNIST and Fashion-MNIST: an images file
 * (big-endian int magic {@value #IMAGES_MAGIC}, count, rows, columns, then one unsigned byte per
 * pixel) and a labels file (magic {@value #LABELS_MAGIC}, count, then one unsigned byte per label).
 * Files may be gzipped; this is detected from their first bytes, not their names. Written files
 * are always gzipped, and the same data gives the same bytes.
 *
 * <p>Stateless and thread-safe.
 */
public final class IdxImages {

    /** Magic number of an idx images file: unsigned bytes, 3 dimensions. */
    public static final int IMAGES_MAGIC = 2051;

    /** Magic number of an idx labels file: unsigned bytes, 1 dimension. */
    public static final int LABELS_MAGIC = 2049;

    private static final int GZIP_FIRST_BYTE = 0x1f;
    private static final int GZIP_SECOND_BYTE = 0x8b;
    private static final int MAX_LABEL = 255;
    private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    private IdxImages() {}

    /**
     * Reads an images file and its labels file.
     *
     * @param images path of the idx images file, gzipped or not
     * @param labels path of the idx labels file, gzipped or not
     * @return the images with their labels
     * @throws IOException if a file can't be read, has the wrong magic number, is truncated, or
     *                     the two files disagree on the count
     */
    public static LabeledImages read(Path images, Path labels) throws IOException {
        try (InputStream imageStream = Files.newInputStream(images);
                InputStream labelStream = Files.newInputStream(labels)) {
            return read(imageStream, images.toString(), labelStream, labels.toString());
        }
    }

    /**
     * Reads images and labels from streams, e.g. class-path resources. The streams are not closed.
     *
     * @param images the idx images data, gzipped or not
     * @param labels the idx labels data, gzipped or not
     * @return the images with their labels
     * @throws IOException as for {@link #read(Path, Path)}
     */
    public static LabeledImages read(InputStream images, InputStream labels) throws IOException {
        return read(images, "images stream", labels, "labels stream");
    }

    private static LabeledImages read(InputStream images, String imagesName, InputStream labels, String labelsName)
            throws IOException {
        DataInputStream imageData = new DataInputStream(maybeGunzip(images));
        requireMagic(imageData, imagesName, IMAGES_MAGIC, "images");
        int count = readDimension(imageData, imagesName, "image count");
        int rows = readDimension(imageData, imagesName, "rows");
        int columns = readDimension(imageData, imagesName, "columns");
        long pixelCount = (long) count * rows * columns;
        if (rows == 0 || columns == 0 || pixelCount > MAX_ARRAY_BYTES) {
            throw new IOException(imagesName + " declares " + count + " images of " + rows + " x " + columns
                    + "; expected non-empty images totalling at most " + MAX_ARRAY_BYTES + " bytes");
        }
        byte[] pixels = new byte[(int) pixelCount];
        readFully(
                imageData,
                pixels,
                imagesName,
                pixelCount + " pixel bytes for " + count + " images of " + rows + " x " + columns);

        DataInputStream labelData = new DataInputStream(maybeGunzip(labels));
        requireMagic(labelData, labelsName, LABELS_MAGIC, "labels");
        int labelCount = readDimension(labelData, labelsName, "label count");
        if (labelCount != count) {
            throw new IOException(labelsName + " has " + labelCount + " labels but " + imagesName + " has " + count
                    + " images; use the labels file that belongs to the images file");
        }
        byte[] labelBytes = new byte[count];
        readFully(labelData, labelBytes, labelsName, count + " label bytes");
        int[] labelValues = new int[count];
        for (int i = 0; i < count; i++) {
            labelValues[i] = labelBytes[i] & 0xFF;
        }
        return new LabeledImages(count, rows, columns, pixels, labelValues);
    }

    /**
     * Writes gzipped idx images and labels files, replacing existing files.
     *
     * @param data   the images; labels must be at most 255
     * @param images path of the images file to write
     * @param labels path of the labels file to write
     * @throws IOException if a file can't be written
     */
    public static void write(LabeledImages data, Path images, Path labels) throws IOException {
        try (OutputStream imageStream = Files.newOutputStream(images);
                OutputStream labelStream = Files.newOutputStream(labels)) {
            write(data, imageStream, labelStream);
        }
    }

    /**
     * Writes gzipped idx images and labels data to streams, which are flushed but not closed.
     *
     * @param data   the images; labels must be at most 255
     * @param images where the images data goes
     * @param labels where the labels data goes
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if a label does not fit in one byte
     */
    public static void write(LabeledImages data, OutputStream images, OutputStream labels) throws IOException {
        Objects.requireNonNull(data, "data");
        byte[] labelBytes = new byte[data.count()];
        for (int i = 0; i < data.count(); i++) {
            if (data.label(i) > MAX_LABEL) {
                throw new IllegalArgumentException("label " + data.label(i) + " of image " + i
                        + " does not fit in an idx label byte (max " + MAX_LABEL + ")");
            }
            labelBytes[i] = (byte) data.label(i);
        }
        GZIPOutputStream imageGzip = new GZIPOutputStream(CloseShieldOutputStream.wrap(images));
        DataOutputStream imageData = new DataOutputStream(imageGzip);
        imageData.writeInt(IMAGES_MAGIC);
        imageData.writeInt(data.count());
        imageData.writeInt(data.height());
        imageData.writeInt(data.width());
        imageData.write(data.pixels());
        imageData.flush();
        imageGzip.finish();
        images.flush();

        GZIPOutputStream labelGzip = new GZIPOutputStream(CloseShieldOutputStream.wrap(labels));
        DataOutputStream labelData = new DataOutputStream(labelGzip);
        labelData.writeInt(LABELS_MAGIC);
        labelData.writeInt(data.count());
        labelData.write(labelBytes);
        labelData.flush();
        labelGzip.finish();
        labels.flush();
    }

    private static InputStream maybeGunzip(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        return first == GZIP_FIRST_BYTE && second == GZIP_SECOND_BYTE ? new GZIPInputStream(buffered) : buffered;
    }

    private static void requireMagic(DataInputStream in, String name, int expected, String kind) throws IOException {
        int magic = readInt(in, name, "magic number");
        if (magic != expected) {
            String hint = magic == IMAGES_MAGIC || magic == LABELS_MAGIC
                    ? " (the images and labels files are swapped)"
                    : " (this is not an idx " + kind + " file)";
            throw new IOException(name + " starts with magic number " + magic + "; an idx " + kind
                    + " file starts with " + expected + hint);
        }
    }

    private static int readDimension(DataInputStream in, String name, String what) throws IOException {
        int value = readInt(in, name, what);
        if (value < 0) {
            throw new IOException(name + " declares a negative " + what + " (" + value + "); the file is corrupt");
        }
        return value;
    }

    private static int readInt(DataInputStream in, String name, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw truncated(name, "the " + what, e);
        }
    }

    private static void readFully(DataInputStream in, byte[] target, String name, String what) throws IOException {
        try {
            in.readFully(target);
        } catch (EOFException e) {
            throw truncated(name, what, e);
        }
    }

    private static EOFException truncated(String name, String what, EOFException cause) {
        EOFException e = new EOFException(
                name + " is truncated: it ends before " + what + " (re-download or re-extract the file)");
        e.initCause(cause);
        return e;
    }
}
