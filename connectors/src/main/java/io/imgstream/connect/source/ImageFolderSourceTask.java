package io.imgstream.connect.source;

import io.imgstream.connect.ConnectorVersion;
import io.imgstream.schemas.ImageRefs;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelFeedback;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans its roots every {@code poll.interval.ms} and emits the records of files it has not sent yet. The source
 * offset of each file is its size and modification time, stored under the file's own source partition
 * ({@code root} + {@code file}); after a restart a file whose offset matches is not sent again, and a file that
 * changed is sent again (with the id of its new content). A file that can't be read is reported once (until it
 * changes) and skipped; a file that disappears is reported, its records stay. A symbolic link whose target lies
 * outside its root is reported once and never read (see {@link RootConfinement}). At least once: a crash between
 * sending and the offset flush sends those files again, under the same content-derived ids.
 */
public final class ImageFolderSourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderSourceTask.class);
    /** Files sent per poll, so a large new tree goes out in bounded batches. */
    private static final int FILES_PER_POLL = 200;

    private static final String ROOT_KEY = "root";
    private static final String FILE_KEY = "file";
    private static final String SIZE_KEY = "size";
    private static final String MODIFIED_KEY = "modified";

    private ImageFolderSourceConfig config;
    private Serializer<SpecificRecord> serializer;
    /** Files sent (or found already sent), with the offset they were sent at. */
    private final Map<Path, Map<String, Object>> sent = new HashMap<>();
    /** Unreadable files already reported, with the offset they had then. */
    private final Map<Path, Map<String, Object>> reported = new HashMap<>();

    /** Links out of a root seen at the last scan, each reported once. */
    private Set<Path> linksOut = new HashSet<>();

    private final Deque<Path[]> queue = new ArrayDeque<>();
    private long nextScanNanos;

    @Override
    public String version() {
        return ConnectorVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new ImageFolderSourceConfig(props);
        serializer = RegistrySerdes.forRegistry(config.registryUrl()).valueSerializer();
        nextScanNanos = System.nanoTime();
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (queue.isEmpty()) {
            long wait = nextScanNanos - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Math.min(1_000, Math.max(1, wait / 1_000_000)));
                return null;
            }
            scan();
            nextScanNanos = System.nanoTime() + config.pollInterval().toNanos();
        }
        List<SourceRecord> records = new ArrayList<>();
        for (int i = 0; i < FILES_PER_POLL && !queue.isEmpty(); i++) {
            Path[] next = queue.poll();
            records.addAll(recordsOf(next[0], next[1]));
        }
        return records.isEmpty() ? null : records;
    }

    /** Queues every file not sent yet; reports files sent earlier that are gone. */
    private void scan() {
        Set<Path> present = new HashSet<>();
        Set<Path> linksOutNow = new HashSet<>();
        List<Path[]> candidates = new ArrayList<>();
        for (Path root : config.roots()) {
            if (!Files.isDirectory(root)) {
                LOG.warn("Root {} is not a directory (any more); skipping it until it is back", root);
                continue;
            }
            Path realRoot;
            try {
                realRoot = root.toRealPath();
            } catch (IOException e) {
                LOG.warn("Could not resolve root {} ({}); trying again at the next scan", root, e.toString());
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(this::isImage)
                        .filter(file -> isImageFileInRoot(realRoot, file, linksOutNow))
                        .sorted()
                        .forEach(file -> {
                            present.add(file);
                            Map<String, Object> offset = offsetOf(file);
                            if (offset != null
                                    && !offset.equals(sent.get(file))
                                    && !offset.equals(reported.get(file))) {
                                candidates.add(new Path[] {root, file});
                            }
                        });
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("Could not list {} ({}); trying again at the next scan", root, e.toString());
            }
        }
        for (Path gone : new ArrayList<>(sent.keySet())) {
            if (!present.contains(gone)) {
                LOG.info("{} was deleted; the records sent for it stay on the topics", gone);
                sent.remove(gone);
            }
        }
        linksOut = linksOutNow;
        skipStoredOffsets(candidates);
        queue.addAll(candidates);
    }

    /** Whether {@code file} is an image file to send; a link out of the root is reported the first time it is seen. */
    private boolean isImageFileInRoot(Path realRoot, Path file, Set<Path> linksOutNow) {
        RootConfinement.Entry entry = RootConfinement.classify(realRoot, file);
        if (entry == RootConfinement.Entry.LINK_OUT_OF_ROOT) {
            linksOutNow.add(file);
            if (!linksOut.contains(file)) {
                LOG.warn("{} is a link leading out of the root {}; skipped, its target is never read", file, realRoot);
            }
        }
        return entry == RootConfinement.Entry.IMAGE_FILE;
    }

    /** Files whose stored offset matches were sent before a restart: they are not sent again. */
    private void skipStoredOffsets(List<Path[]> candidates) {
        List<Map<String, Object>> partitions = candidates.stream()
                .filter(c -> !sent.containsKey(c[1]))
                .map(c -> partition(c[0], c[1]))
                .toList();
        if (partitions.isEmpty()) {
            return;
        }
        Map<Map<String, Object>, Map<String, Object>> stored =
                context.offsetStorageReader().offsets(partitions);
        candidates.removeIf(c -> {
            Map<String, Object> offset = stored.get(partition(c[0], c[1]));
            Map<String, Object> current = offsetOf(c[1]);
            if (offset != null && current != null && sameOffset(offset, current)) {
                sent.put(c[1], current);
                return true;
            }
            return false;
        });
    }

    private List<SourceRecord> recordsOf(Path root, Path file) {
        Map<String, Object> offset = offsetOf(file);
        if (offset == null) {
            return List.of();
        }
        try {
            boolean inline = config.inline() && Files.size(file) <= config.inlineMaxBytes();
            ImageRef ref;
            // Opened confined again: the file may have been swapped for a link out of the root since the scan.
            try (InputStream content = RootConfinement.open(root.toRealPath(), file)) {
                ref = ImageRefs.of(file, content, inline, config.labeler(), Instant.now());
            }
            if (config.inline() && !ref.getUri().toString().startsWith("inline")) {
                LOG.warn("{} is over inline.max.bytes={}; sent as a file:// reference", file, config.inlineMaxBytes());
            }
            Map<String, Object> partition = partition(root, file);
            List<SourceRecord> records = new ArrayList<>();
            String id = ref.getId();
            records.add(new SourceRecord(
                    partition,
                    offset,
                    config.imagesTopic(),
                    null,
                    Schema.STRING_SCHEMA,
                    id,
                    Schema.BYTES_SCHEMA,
                    serializer.serialize(config.imagesTopic(), ref)));
            FolderLayout layout = FolderLayout.of(root.relativize(file));
            if (layout.label().isPresent() && !config.feedbackTopic().isEmpty()) {
                LabelFeedback label = LabelFeedback.newBuilder()
                        .setImageId(id)
                        .setUri(file.toUri().toString())
                        .setLabel(layout.label().get())
                        .setLabeler(config.labeler())
                        .setTime(Instant.now())
                        .setSplit(layout.split())
                        .build();
                records.add(new SourceRecord(
                        partition,
                        offset,
                        config.feedbackTopic(),
                        null,
                        Schema.STRING_SCHEMA,
                        id,
                        Schema.BYTES_SCHEMA,
                        serializer.serialize(config.feedbackTopic(), label)));
            }
            sent.put(file, offset);
            return records;
        } catch (IOException e) {
            LOG.warn("Could not read {} ({}); skipped until it changes", file, e.toString());
            reported.put(file, offset);
            return List.of();
        }
    }

    private boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0
                && !name.startsWith(".")
                && config.extensions().contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static Map<String, Object> partition(Path root, Path file) {
        return Map.of(ROOT_KEY, root.toString(), FILE_KEY, root.relativize(file).toString());
    }

    /** Size and modification time; null when the file vanished meanwhile. */
    private static Map<String, Object> offsetOf(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return Map.of(
                    SIZE_KEY,
                    attributes.size(),
                    MODIFIED_KEY,
                    attributes.lastModifiedTime().toMillis());
        } catch (IOException e) {
            return null;
        }
    }

    /** Offsets come back from storage with JSON's number types: compare as longs. */
    private static boolean sameOffset(Map<String, Object> stored, Map<String, Object> current) {
        return Objects.equals(asLong(stored.get(SIZE_KEY)), asLong(current.get(SIZE_KEY)))
                && Objects.equals(asLong(stored.get(MODIFIED_KEY)), asLong(current.get(MODIFIED_KEY)));
    }

    private static Long asLong(Object value) {
        return value instanceof Number number ? number.longValue() : null;
    }

    @Override
    public void stop() {
        queue.clear();
    }
}
