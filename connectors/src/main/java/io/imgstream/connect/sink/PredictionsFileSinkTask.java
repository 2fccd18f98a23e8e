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
import java.util.Map;
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
 */
public final class PredictionsFileSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(PredictionsFileSinkTask.class);

    private PredictionsFileSinkConfig config;
    private Deserializer<Prediction> values;
    private final Map<TopicPartition, PartitionFile> files = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    @Override
    public String version() {
        return ConnectorVersion.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new PredictionsFileSinkConfig(props);
        values = RegistrySerdes.forRegistry(config.registryUrl()).valueDeserializer();
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
        for (SinkRecord record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.kafkaPartition());
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
                discardAll();
                // Connect redelivers from the committed offsets after the pause, into fresh files.
                throw new RetriableException(
                        "could not write predictions to " + config.directory() + ": " + e.getMessage(), e);
            }
        }
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
                    throw new RetriableException(
                            "could not commit the file of " + partition + ": " + e.getMessage(), e);
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

    private void commit(TopicPartition partition) throws IOException {
        PartitionFile file = files.remove(partition);
        Path target = file.commit();
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
        }
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
