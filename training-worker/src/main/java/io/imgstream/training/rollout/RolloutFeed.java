package io.imgstream.training.rollout;

import io.imgstream.schemas.FailureVerdict;
import io.imgstream.schemas.RecordRetries;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.Prediction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the tally of the step being measured: one thread reads {@code predictions} and {@code feedback} from the
 * moment the step began (found by record timestamp, so a restarted worker counts the same records again rather
 * than keeping local state) and counts them.
 *
 * <p>Failures follow the project's rules. A record whose schema can't be fetched because the registry is away is
 * read again after a pause, for as long as the outage lasts; one that may or may not be at fault is tried
 * {@link RecordRetries#DEFAULT_MAX_ATTEMPTS} times; one at fault is skipped, logged with its position and counted
 * (not dead-lettered: the labeled set already dead-letters a bad feedback record, and a bad prediction is the
 * scorer's to answer for). Any other failure (the broker away, say) is logged and counted, and the thread starts the
 * step's reading over after a pause: counting is idempotent per image, so records read twice count once. The
 * thread ends only when the feed is closed.
 */
public final class RolloutFeed implements RolloutMeasurements {

    /** Told of what the feed skips and of its failures. */
    public interface Listener {

        /** A record was skipped: it is at fault for not deserializing. */
        void recordSkipped(String position, Exception why);

        /** Reading failed and starts over after a pause. */
        void readFailed(Throwable why);
    }

    private record Measuring(Target target, RolloutTally tally) {}

    private static final Logger LOG = LoggerFactory.getLogger(RolloutFeed.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration IDLE = Duration.ofMillis(200);
    private static final Duration FAILURE_PAUSE = Duration.ofSeconds(2);

    private final Properties clients;
    private final String predictionsTopic;
    private final String feedbackTopic;
    private final Deserializer<Prediction> predictions;
    private final Deserializer<LabelFeedback> labels;
    private final int capacity;
    private final Listener listener;
    private final RecordRetries retries = RecordRetries.defaults();
    private final Thread thread;
    /** The target and its tally, swapped together so the thread never counts one target's records in another's. */
    private volatile Measuring measuring;

    private volatile boolean closed;

    /**
     * Starts the feed's thread, idle until {@link #measure} names a target.
     *
     * @param clients          brokers and client settings
     * @param serdes           the registry serdes
     * @param predictionsTopic where scorers write predictions
     * @param feedbackTopic    where labels arrive
     * @param capacity         most images a tally remembers ({@link RolloutTally})
     * @param listener         told of skipped records and failures
     */
    public RolloutFeed(
            Properties clients,
            RegistrySerdes serdes,
            String predictionsTopic,
            String feedbackTopic,
            int capacity,
            Listener listener) {
        this.clients = clients;
        this.predictionsTopic = Objects.requireNonNull(predictionsTopic, "predictionsTopic");
        this.feedbackTopic = Objects.requireNonNull(feedbackTopic, "feedbackTopic");
        this.predictions = serdes.valueDeserializer(Prediction.class);
        this.labels = serdes.valueDeserializer(LabelFeedback.class);
        this.capacity = capacity;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.thread = new Thread(this::run, "imgstream-rollout-feed");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public RolloutTally measure(Target next) {
        Measuring now = measuring;
        if (now == null || !next.equals(now.target())) {
            now = new Measuring(
                    next,
                    new RolloutTally(
                            next.model(), next.currentVersion(), next.canaryVersion(), next.since(), capacity));
            measuring = now;
        }
        return now.tally();
    }

    @Override
    public void idle() {
        measuring = null;
    }

    private void run() {
        KafkaConsumer<String, byte[]> consumer = null;
        Measuring reading = null;
        while (!closed) {
            try {
                Measuring wanted = measuring;
                if (wanted != reading || consumer == null) {
                    if (consumer != null) {
                        consumer.close(Duration.ZERO);
                        consumer = null;
                    }
                    reading = wanted;
                    if (wanted != null) {
                        consumer = open(wanted.target().since());
                    }
                }
                if (consumer == null) {
                    Thread.sleep(IDLE.toMillis());
                    continue;
                }
                count(consumer, consumer.poll(POLL), reading.tally());
            } catch (InterruptedException | InterruptException | WakeupException e) {
                if (!closed) {
                    LOG.warn("Rollout feed interrupted while not closing; it goes on");
                }
            } catch (RuntimeException | Error e) {
                // Never dies silently: logged, counted, and the step is read again from its start after a pause.
                if (closed) {
                    break;
                }
                LOG.warn("Rollout feed failed, reading the step again in {} s: {}", FAILURE_PAUSE.toSeconds(), e, e);
                listener.readFailed(e);
                if (consumer != null) {
                    try {
                        consumer.close(Duration.ZERO);
                    } catch (RuntimeException closing) {
                        LOG.debug("Closing the failed consumer failed too: {}", closing.toString());
                    }
                    consumer = null;
                }
                pause(FAILURE_PAUSE);
            }
        }
        if (consumer != null) {
            consumer.close(Duration.ZERO);
        }
    }

    private KafkaConsumer<String, byte[]> open(Instant since) {
        Properties props = new Properties();
        props.putAll(clients);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(predictionsTopic, feedbackTopic)) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic);
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("topic " + topic + " does not exist");
                }
                infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(p -> times.put(p, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times);
            for (TopicPartition p : partitions) {
                OffsetAndTimestamp at = offsets.get(p);
                if (at == null) {
                    consumer.seekToEnd(List.of(p));
                } else {
                    consumer.seek(p, at.offset());
                }
            }
            return consumer;
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    private void count(
            KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records, RolloutTally to) {
        int failed = 0;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                String position = record.topic() + "-" + record.partition() + "@" + record.offset();
                try {
                    if (record.topic().equals(predictionsTopic)) {
                        Prediction prediction =
                                predictions.deserialize(record.topic(), record.headers(), record.value());
                        if (prediction != null) {
                            to.predicted(prediction);
                        }
                    } else {
                        LabelFeedback label = labels.deserialize(record.topic(), record.headers(), record.value());
                        if (label != null) {
                            to.labeled(label);
                        }
                    }
                    retries.settled(position);
                } catch (RuntimeException e) {
                    FailureVerdict verdict = FailureVerdict.of(e);
                    int attempts = retries.failed(position);
                    if (verdict == FailureVerdict.RECORD
                            || (verdict == FailureVerdict.UNCERTAIN && attempts >= retries.maxAttempts())) {
                        retries.settled(position);
                        LOG.warn("Rollout feed skips {}: {}", position, e.toString());
                        listener.recordSkipped(position, e);
                        continue;
                    }
                    // Read this record and the rest of its partition again after the pause.
                    LOG.info("Rollout feed reads {} again after a pause: {}", position, e.toString());
                    consumer.seek(partition, record.offset());
                    failed = Math.max(failed, attempts);
                    break;
                }
            }
        }
        if (failed > 0) {
            retries.pauseAfter(failed);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread, waiting for it a few seconds. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
