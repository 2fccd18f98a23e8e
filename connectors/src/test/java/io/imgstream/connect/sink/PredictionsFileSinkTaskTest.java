package io.imgstream.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.LatencyBreakdown;
import io.imgstream.schemas.avro.Prediction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink task driven the way Connect's {@code WorkerSinkTask} drives it: batches in offset order per partition,
 * offsets committed from {@code preCommit}, and after a {@link RetriableException} the partitions the task asked to
 * rewind sought back before the failed batch is delivered again. Records are real Avro {@code Prediction} bytes (read
 * without a registry) and the files are real.
 */
class PredictionsFileSinkTaskTest {

    private static final String TOPIC = "predictions";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final int RECORDS_PER_PARTITION = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private Path directory;
    private final RewindingContext context = new RewindingContext();
    private final PredictionsFileSinkTask task = new PredictionsFileSinkTask(registryUrl -> avro());

    @BeforeEach
    void start() {
        directory = temp.resolve("out");
        task.initialize(context);
        task.start(Map.of(
                PredictionsFileSinkConfig.DIRECTORY_CONFIG, directory.toString(),
                PredictionsFileSinkConfig.REGISTRY_URL_CONFIG, "http://127.0.0.1:9",
                // Every file commits at the offset commit after the last batch.
                PredictionsFileSinkConfig.ROLL_INTERVAL_MS_CONFIG, "0"));
        task.open(List.of(P0, P1));
    }

    @AfterEach
    void stop() {
        task.stop();
    }

    @Test
    void shouldDeliverEveryRecordOnceWhenAWriteFailsMidway() throws Exception {
        // p1's first file can't be created until the blocker goes: by then p0's open file holds the first batch and
        // the start of the failing one, which Connect delivers again first.
        Path blocker = Files.createDirectories(directory.resolve(".predictions-1-00000000000000000000.jsonl.tmp"));
        Files.writeString(blocker.resolve("keep"), "a directory where the file should be\n");
        List<List<TopicPartition>> batches = List.of(List.of(P0, P0), List.of(P0, P1), List.of(P1, P1));

        List<Exception> failures = deliverAll(batches, () -> deleteRecursively(blocker));

        assertThat(failures).singleElement().isInstanceOf(RetriableException.class);
        assertThat(committedLines())
                .as("every record in the committed files exactly once, in offset order per partition")
                .isEqualTo(Map.of(P0, offsets(), P1, offsets()));
        try (Stream<Path> left = Files.list(directory)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        }
    }

    @Test
    void shouldNeverWriteThroughALinkAtTheTemporaryName() throws Exception {
        Files.createDirectories(directory);
        Path victim = Files.writeString(temp.resolve("victim.txt"), "precious\n");
        Files.createSymbolicLink(directory.resolve(".predictions-0-00000000000000000000.jsonl.tmp"), victim);

        List<Exception> failures = deliverAll(List.of(List.of(P0, P0, P0), List.of(P0, P0, P0)), () -> {});

        assertThat(failures).isEmpty();
        assertThat(Files.readString(victim)).isEqualTo("precious\n");
        assertThat(committedLines()).isEqualTo(Map.of(P0, offsets(), P1, offsets()));
    }

    /**
     * Delivers both partitions' records as Connect would, in batches naming the partition of each next record, then
     * a record of each partition a batch until every record is delivered; then commits offsets, which commits the
     * files (Connect commits every {@code offset.flush.interval.ms}, a minute by default: many batches in between).
     *
     * @param onFailure runs after each failed batch, before it is retried
     * @return the exceptions the failed batches threw
     */
    private List<Exception> deliverAll(List<List<TopicPartition>> batches, Runnable onFailure) {
        Map<TopicPartition, Long> position = new HashMap<>(Map.of(P0, 0L, P1, 0L));
        List<Exception> failures = new ArrayList<>();
        int next = 0;
        List<SinkRecord> batch = null;
        while (true) {
            // WorkerSinkTask seeks the partitions the task rewound at the start of its next poll.
            position.putAll(context.takeOffsets());
            if (batch == null) {
                List<TopicPartition> wanted = next < batches.size() ? batches.get(next++) : List.of(P0, P1);
                batch = poll(position, wanted);
                if (batch.isEmpty()) {
                    task.preCommit(Map.of());
                    return failures;
                }
            }
            try {
                task.put(new ArrayList<>(batch));
                batch = null;
            } catch (RetriableException e) {
                failures.add(e);
                onFailure.run();
                if (failures.size() > 10) {
                    throw new AssertionError("the batch keeps failing", e);
                }
            }
        }
    }

    /** The next record of each partition named, as far as each partition has records left. */
    private static List<SinkRecord> poll(Map<TopicPartition, Long> position, List<TopicPartition> partitions) {
        List<SinkRecord> records = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            long offset = position.get(partition);
            if (offset < RECORDS_PER_PARTITION) {
                records.add(record(partition, offset));
                position.put(partition, offset + 1);
            }
        }
        return records;
    }

    private static SinkRecord record(TopicPartition partition, long offset) {
        Prediction prediction = Prediction.newBuilder()
                .setImageId("img-" + partition.partition() + "-" + offset)
                .setImageUri("file:///img.png")
                .setModelName("pets")
                .setModelVersion(1)
                .setTopK(List.of(new ClassProbability("cat", 1.0f)))
                .setProbabilities(Map.of("cat", 1.0f))
                .setEventTime(Instant.EPOCH)
                .setScoredTime(Instant.EPOCH)
                .setBatchId("b")
                .setBatchSize(1)
                .setLatency(LatencyBreakdown.newBuilder()
                        .setFetchMs(0)
                        .setQueueMs(0)
                        .setInferenceMs(0)
                        .build())
                .build();
        try {
            ByteBuffer buffer = prediction.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return new SinkRecord(TOPIC, partition.partition(), null, null, null, bytes, offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Avro's single-object encoding, so no registry is needed; the task sees real Prediction bytes. */
    private static Deserializer<Prediction> avro() {
        return (topic, bytes) -> {
            try {
                return Prediction.fromByteBuffer(ByteBuffer.wrap(bytes));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** The offsets of each partition's lines in its committed files, the files read in name (first offset) order. */
    private Map<TopicPartition, List<Long>> committedLines() throws IOException {
        Map<TopicPartition, List<Long>> lines = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    JsonNode json = JSON.readTree(line);
                    lines.computeIfAbsent(
                                    new TopicPartition(
                                            json.get("topic").asText(),
                                            json.get("partition").asInt()),
                                    p -> new ArrayList<>())
                            .add(json.get("offset").asLong());
                }
            }
        }
        return lines;
    }

    private static List<Long> offsets() {
        List<Long> offsets = new ArrayList<>();
        for (long offset = 0; offset < RECORDS_PER_PARTITION; offset++) {
            offsets.add(offset);
        }
        return offsets;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The offsets a task asks to rewind to, taken by the driver as WorkerSinkTask takes them. */
    private static final class RewindingContext implements SinkTaskContext {

        private final Map<TopicPartition, Long> offsets = new HashMap<>();

        Map<TopicPartition, Long> takeOffsets() {
            Map<TopicPartition, Long> taken = Map.copyOf(offsets);
            offsets.clear();
            return taken;
        }

        @Override
        public Map<String, String> configs() {
            return Map.of();
        }

        @Override
        public void offset(Map<TopicPartition, Long> offsets) {
            this.offsets.putAll(offsets);
        }

        @Override
        public void offset(TopicPartition partition, long offset) {
            offsets.put(partition, offset);
        }

        @Override
        public void timeout(long timeoutMs) {}

        @Override
        public Set<TopicPartition> assignment() {
            return Set.of(P0, P1);
        }

        @Override
        public void pause(TopicPartition... partitions) {}

        @Override
        public void resume(TopicPartition... partitions) {}

        @Override
        public void requestCommit() {}

        /** The task registers no metrics. */
        @Override
        public PluginMetrics pluginMetrics() {
            return null;
        }
    }
}
