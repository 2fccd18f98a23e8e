package io.imgstream.labeling.intake;

import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.LabelRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the labeling-requests and feedback topics from their beginning, committed records only, on a thread of its
 * own, and hands each record to an {@link IntakeListener}. It joins no consumer group: every page sees the whole
 * labeled set and every request. A broker that can't be reached is retried with a growing pause and reported to the
 * listener meanwhile; a record that does not decode is skipped and reported; anything else stops the thread, logged
 * and reported.
 */
public final class TopicIntake implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicIntake.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration TOPIC_LOOKUP = Duration.ofSeconds(10);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(500);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final KafkaConsumer<String, SpecificRecord> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final String requestsTopic;
    private final String feedbackTopic;
    private final IntakeListener listener;
    private final Thread thread;
    private volatile boolean closing;

    /**
     * @param clientProperties brokers and client settings
     * @param serdes           the registry serdes
     * @param requestsTopic    the labeling-requests topic
     * @param feedbackTopic    the feedback topic
     * @param listener         who gets the records
     * @throws IllegalArgumentException naming the first topic that does not exist
     * @throws KafkaException           if the broker can't be asked which partitions the topics have
     */
    public TopicIntake(
            Properties clientProperties,
            RegistrySerdes serdes,
            String requestsTopic,
            String feedbackTopic,
            IntakeListener listener) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), serdes.<SpecificRecord>valueDeserializer());
        this.requestsTopic = requestsTopic;
        this.feedbackTopic = feedbackTopic;
        this.listener = listener;
        try {
            for (String topic : List.of(requestsTopic, feedbackTopic)) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, TOPIC_LOOKUP);
                if (infos.isEmpty()) {
                    throw new IllegalArgumentException("topic '" + topic + "' does not exist");
                }
                infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            }
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::run, "labeling-intake");
        thread.setDaemon(true);
    }

    /** Starts reading. */
    public void start() {
        thread.start();
    }

    private void run() {
        try {
            follow();
        } catch (WakeupException e) {
            if (!closing) {
                stopped(e);
            }
        } catch (RuntimeException | Error e) {
            stopped(e);
        } finally {
            consumer.close(Duration.ZERO);
        }
    }

    private void stopped(Throwable e) {
        LOG.error("Labeling intake stopped: no more requests or labels are read", e);
        listener.intakeProblem("reading the topics stopped: " + e + "; restart the page");
    }

    private void follow() {
        Map<TopicPartition, Long> end = null;
        boolean caughtUp = false;
        boolean failing = false;
        Duration pause = FIRST_PAUSE;
        while (!closing) {
            try {
                if (end == null) {
                    end = consumer.endOffsets(partitions, TOPIC_LOOKUP);
                }
                for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(POLL)) {
                    dispatch(record);
                }
                if (!caughtUp && reached(end)) {
                    caughtUp = true;
                    listener.caughtUp();
                }
                if (failing) {
                    failing = false;
                    listener.intakeProblem(null);
                }
                pause = FIRST_PAUSE;
            } catch (RecordDeserializationException e) {
                undecodable(e.topicPartition() + "@" + e.offset() + ": " + e.getMessage());
                consumer.seek(e.topicPartition(), e.offset() + 1);
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                failing = true;
                LOG.warn(
                        "Reading {} and {} failed, retrying in {}: {}",
                        requestsTopic,
                        feedbackTopic,
                        pause,
                        e.toString());
                listener.intakeProblem("reading the topics fails, retrying: " + e.getMessage());
                sleep(pause);
                pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    private void dispatch(ConsumerRecord<String, SpecificRecord> record) {
        SpecificRecord value = record.value();
        if (value == null) {
            return;
        }
        if (record.topic().equals(requestsTopic) && value instanceof LabelRequest request) {
            listener.onRequest(request);
        } else if (record.topic().equals(feedbackTopic) && value instanceof LabelFeedback feedback) {
            listener.onFeedback(feedback);
        } else {
            undecodable(record.topic() + "-" + record.partition() + "@" + record.offset() + ": a "
                    + value.getSchema().getFullName() + ", which this topic does not carry");
        }
    }

    private void undecodable(String where) {
        LOG.warn("Skipped a record that is not what its topic carries: {}", where);
        listener.onUndecodable(where);
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition) < end.getOrDefault(partition, 0L)) {
                return false;
            }
        }
        return true;
    }

    private void sleep(Duration pause) {
        try {
            TimeUnit.MILLISECONDS.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    /** Stops reading and waits a little for the thread to end. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        thread.join(CLOSE_WAIT.toMillis());
    }
}
