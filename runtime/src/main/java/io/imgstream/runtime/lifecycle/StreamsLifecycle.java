package io.imgstream.runtime.lifecycle;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;

/**
 * What every imgstream Kafka Streams application does about failed stream threads, waiting for RUNNING and
 * stopping.
 */
public final class StreamsLifecycle {

    private static final long POLL_MILLIS = 50;

    private StreamsLifecycle() {}

    /**
     * How to stop a Kafka Streams instance as a clean shutdown should: committing, then leaving the consumer group,
     * so the other instances take its partitions over at once. Kafka Streams on its own stays in the group, and the
     * partitions wait for {@code session.timeout.ms} (45 s by default) before anyone processes them, on every rolling
     * restart. An instance with a {@code group.instance.id} (static membership) stays: it is expected back under the
     * same id within the session timeout, and gets its partitions back without a rebalance.
     *
     * @param properties the properties the instance is built from
     * @param timeout    how long closing may wait for the stream threads
     * @return what to pass to {@link KafkaStreams#close(CloseOptions)}
     */
    public static CloseOptions closeOptions(Map<?, ?> properties, Duration timeout) {
        return CloseOptions.groupMembershipOperation(
                        staticMember(properties)
                                ? GroupMembershipOperation.REMAIN_IN_GROUP
                                : GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout);
    }

    /** Whether those Kafka Streams properties give the instance's consumers a {@code group.instance.id}. */
    static boolean staticMember(Map<?, ?> properties) {
        String key = ConsumerConfig.GROUP_INSTANCE_ID_CONFIG;
        return properties.get(key) != null
                || properties.get(StreamsConfig.consumerPrefix(key)) != null
                || properties.get(StreamsConfig.mainConsumerPrefix(key)) != null;
    }

    /**
     * Makes {@code streams} log a failed stream thread and replace it: the replacement resumes from the last commit
     * (a broker or registry that went away, say), so the application pauses instead of stopping for good.
     *
     * @param what how the log names the thread, e.g. {@code "Stream thread"}
     */
    public static void replaceFailedThreads(KafkaStreams streams, Logger log, String what) {
        streams.setUncaughtExceptionHandler(e -> {
            log.error("{} failed; replacing it. Cause: {}", what, e.toString(), e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    /**
     * Makes the death of any of {@code background}'s threads close {@code streams}, on a thread of its own (the
     * failing thread may be one that closing waits for), so that the application ends instead of running on without
     * the thread's work. Tasks stop as on any close: what was committed stays, the rest is processed again by the
     * next instance.
     *
     * @param timeout how long closing may wait for the stream threads
     */
    public static void closeOnFailure(KafkaStreams streams, BackgroundThreads background, Duration timeout) {
        background.onFailure(failure -> {
            Thread closing = new Thread(() -> streams.close(timeout), "imgstream-close-after-failure");
            closing.setDaemon(true);
            closing.start();
        });
    }

    /**
     * Waits until {@code streams} is RUNNING, has failed, or {@code timeout} passed.
     *
     * @return whether it is running
     */
    public static boolean awaitRunning(KafkaStreams streams, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return false;
    }
}
