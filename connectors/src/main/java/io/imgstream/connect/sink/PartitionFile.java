package io.imgstream.connect.sink;

import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.apache.kafka.common.TopicPartition;

/**
 * The open file of one partition: written under a temporary name, then renamed to
 * {@code <topic>-<partition>-<first offset>.<ext>} when it is committed. The name is fixed by the first offset, so a
 * task that crashed after a rename and before the offset commit rewrites the same records into the same name: a
 * committed file never holds a line twice, and no line is in two committed files.
 *
 * <p>The temporary file is always created new, never opened through whatever is at its name: a leftover file or a
 * symbolic link planted there is removed first (the link, not what it points to), and the creation fails if anything
 * appears there in between. The rename to the final name replaces a link there rather than writing through it.
 */
final class PartitionFile {

    private static final String TEMP_PREFIX = ".";
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path temp;
    private final Path target;
    private final FileChannel channel;
    private final Writer writer;
    private final long firstOffset;
    private final long openedNanos = System.nanoTime();
    private long bytes;
    private long nextOffset;

    private PartitionFile(Path temp, Path target, FileChannel channel, long firstOffset) {
        this.temp = temp;
        this.target = target;
        this.channel = channel;
        this.writer = Channels.newWriter(channel, StandardCharsets.UTF_8);
        this.firstOffset = firstOffset;
        this.nextOffset = firstOffset;
    }

    /** Opens the file that starts at {@code firstOffset}, replacing a temporary file left by an earlier task. */
    static PartitionFile open(Path directory, TopicPartition partition, long firstOffset, PredictionFormat format)
            throws IOException {
        String name = String.format(
                Locale.ROOT,
                "%s-%d-%020d.%s",
                partition.topic(),
                partition.partition(),
                firstOffset,
                format.extension());
        Files.createDirectories(directory);
        Path temp = directory.resolve(TEMP_PREFIX + name + TEMP_SUFFIX);
        Files.deleteIfExists(temp);
        FileChannel channel = FileChannel.open(
                temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        PartitionFile file = new PartitionFile(temp, directory.resolve(name), channel, firstOffset);
        if (format.header() != null) {
            file.write(format.header());
        }
        return file;
    }

    /** Whether {@code file} is a temporary file of {@code partition}, left by a task that did not commit it. */
    static boolean isTempOf(Path file, TopicPartition partition) {
        String name = file.getFileName().toString();
        return name.startsWith(TEMP_PREFIX + partition.topic() + "-" + partition.partition() + "-")
                && name.endsWith(TEMP_SUFFIX);
    }

    /** Appends the line of the record at {@code offset}. */
    void append(String line, long offset) throws IOException {
        write(line);
        nextOffset = offset + 1;
    }

    private void write(String text) throws IOException {
        writer.write(text);
        bytes += text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Bytes written. */
    long bytes() {
        return bytes;
    }

    /** How long it has been open, in milliseconds. */
    long ageMillis() {
        return (System.nanoTime() - openedNanos) / 1_000_000;
    }

    /** The offset of the first record written, where a partition whose file is discarded is delivered from again. */
    long firstOffset() {
        return firstOffset;
    }

    /** The offset after the last record written. */
    long nextOffset() {
        return nextOffset;
    }

    /** Flushes to disk and renames to the final name. */
    Path commit() throws IOException {
        writer.flush();
        channel.force(true);
        writer.close();
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /** Closes and deletes the temporary file; its records are delivered again from the committed offset. */
    void discard() {
        try {
            writer.close();
        } catch (IOException ignored) {
            // Deleted below either way.
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // A leftover is replaced when the partition's next file opens at the same offset.
        }
    }
}
