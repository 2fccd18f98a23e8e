package io.imgstream.connect.sink;

import io.imgstream.connect.ConnectorVersion;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.avro.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends each partition's predictions to its open file and commits a file (fsync, then an atomic rename to its
 * final name) when it reaches {@code roll.bytes}, or at the first offset commit after {@code roll.interval.ms}. Only
 * the offsets of committed files are committed to Kafka, so delivery is at least once and a restart rewrites the
 * uncommitted tail into the same file names. A record that is not a {@code Prediction} goes to the errant record
 * reporter, which with {@code errors.tolerance=all} logs or dead-letters it and goes on (with the default
 * {@code none} it fails the task, as Connect does for any converter error); a runtime without a reporter logs and
 * skips it.
 *
 * <p><strong>A failed write loses nothing.</strong> The open files hold records of earlier {@code put} calls that
 * Connect considers delivered. When a write or commit fails, every uncommitted file is discarded and its partition
 * rewound ({@link org.apache.kafka.connect.sink.SinkTaskContext#offset}) to the file's first record, so Connect
 * delivers those records again, then the task throws {@link RetriableException}. Connect retries the failed batch
 * first, before it reads from the rewound positions: that batch's records of rewound partitions are skipped then,
 * since they come again in order from the rewound position, and would otherwise be written ahead of records they
 * follow.
 */
public final class PredictionsFileSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(PredictionsFileSinkTask.class);

    private final Function<String, Deserializer<Prediction>> deserializers;
    private PredictionsFileSinkConfig config;
    private Deserializer<Prediction> values;
    private final Map<TopicPartition, PartitionFile> files = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    /** Partitions rewound by a failed {@code put}, whose records the batch Connect retries next must skip. */
    private final Set<TopicPartition> rewoundBeforeRetry = new HashSet<>();

    /** The task Connect instantiates: Prediction records are read with the registry of {@code registry.url}. */
    public PredictionsFileSinkTask() {
        this(registryUrl -> RegistrySerdes.forRegistry(registryUrl).valueDeserializer());
    }

    /** A task reading Prediction records with the deserializer made for the configured registry URL. */
    PredictionsFileSinkTask(Function<String, Deserializer<Prediction>> deserializers) {
        this.deserializers = deserializers;
    }

    @Override
    public String version() {
        return ConnectorVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new PredictionsFileSinkConfig(props);
        values = deserializers.apply(config.registryUrl());
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        Path directory = config.directory();
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path entry : entries.toList()) {
                if (partitions.stream().anyMatch(p -> PartitionFile.isTempOf(entry, p))) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException e) {
            throw new ConnectException("could not clean up " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        // This batch is the one a failure interrupted, unless the previous put succeeded.
        Set<TopicPartition> comingAgain = Set.copyOf(rewoundBeforeRetry);
        for (SinkRecord record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.kafkaPartition());
            if (comingAgain.contains(partition)) {
                continue;
            }
            Prediction prediction = prediction(record);
            if (prediction == null) {
                continue;
            }
            try {
                PartitionFile file = files.get(partition);
                if (file == null) {
                    file = PartitionFile.open(config.directory(), partition, record.kafkaOffset(), config.format());
                    files.put(partition, file);
                }
                file.append(
                        config.format().line(prediction, record.topic(), record.kafkaPartition(), record.kafkaOffset()),
                        record.kafkaOffset());
                if (file.bytes() >= config.rollBytes()) {
                    commit(partition);
                }
            } catch (IOException e) {
                rewoundBeforeRetry.addAll(rewindUncommitted());
                throw new RetriableException(
                        "could not write predictions to " + config.directory() + " (" + e.getMessage()
                                + "); the uncommitted files are discarded and their records will be delivered again",
                        e);
            }
        }
        rewoundBeforeRetry.clear();
    }

    private Prediction prediction(SinkRecord record) {
        Object value = record.value();
        try {
            if (!(value instanceof byte[] bytes)) {
                throw new IllegalArgumentException(
                        "value is " + (value == null ? "null" : value.getClass().getName())
                                + ", not bytes: set "
                                + "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter");
            }
            return values.deserialize(record.topic(), bytes);
        } catch (RuntimeException e) {
            ErrantRecordReporter reporter = context.errantRecordReporter();
            if (reporter != null) {
                reporter.report(record, e);
            } else {
                LOG.warn(
                        "Skipping {}-{}@{}: not a Prediction ({})",
                        record.topic(),
                        record.kafkaPartition(),
                        record.kafkaOffset(),
                        e.toString());
            }
            return null;
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        for (TopicPartition partition : new ArrayList<>(files.keySet())) {
            if (files.get(partition).ageMillis() >= config.rollInterval().toMillis()) {
                try {
                    commit(partition);
                } catch (IOException e) {
                    // No batch is retried after a failed offset commit: Connect reads from the rewound positions.
                    rewindUncommitted();
                    throw new RetriableException(
                            "could not commit the file of " + partition + " (" + e.getMessage()
                                    + "); the uncommitted files are discarded and their records will be delivered "
                                    + "again",
                            e);
                }
            }
        }
        Map<TopicPartition, OffsetAndMetadata> safe = new HashMap<>();
        for (TopicPartition partition : currentOffsets.keySet()) {
            Long next = committed.get(partition);
            if (next != null) {
                safe.put(partition, new OffsetAndMetadata(next));
            }
        }
        return safe;
    }

    // A file that fails to commit stays among the open ones, to be discarded and its partition rewound.
    private void commit(TopicPartition partition) throws IOException {
        PartitionFile file = files.get(partition);
        Path target = file.commit();
        files.remove(partition);
        committed.put(partition, file.nextOffset());
        LOG.debug("Committed {} up to offset {}", target, file.nextOffset());
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            PartitionFile file = files.remove(partition);
            if (file != null) {
                file.discard();
            }
            committed.remove(partition);
            rewoundBeforeRetry.remove(partition);
        }
    }

    /**
     * Discards every uncommitted file and asks Connect to deliver each one's partition again from the file's first
     * record: Connect took those records as delivered when {@code put} returned.
     *
     * @return the rewound partitions
     */
    private Set<TopicPartition> rewindUncommitted() {
        Map<TopicPartition, Long> from = new HashMap<>();
        files.forEach((partition, file) -> from.put(partition, file.firstOffset()));
        discardAll();
        if (!from.isEmpty()) {
            context.offset(from);
            LOG.warn(
                    "Discarded the uncommitted files; {} will be delivered again from offsets {}", from.keySet(), from);
        }
        return from.keySet();
    }

    private void discardAll() {
        files.values().forEach(PartitionFile::discard);
        files.clear();
    }

    @Override
    public void stop() {
        discardAll();
    }
}
