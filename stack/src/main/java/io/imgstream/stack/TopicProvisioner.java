package io.imgstream.stack;

import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the topics of a {@link TopicCatalog} on a broker. Idempotent: a topic that already exists is
 * left as it is (its partitions and settings are not changed) and reported as existing. Thread-safe;
 * stateless.
 */
public final class TopicProvisioner {

    private static final long LEADER_POLL_MILLIS = 100;

    private TopicProvisioner() {}

    /**
     * What {@link #createAll} did.
     *
     * @param created  the topics it created, in catalog order
     * @param existing the topics that were already there, in catalog order
     */
    public record Result(List<String> created, List<String> existing) {
        public Result {
            created = List.copyOf(created);
            existing = List.copyOf(existing);
        }
    }

    /**
     * Creates every topic of {@code catalog}; compacted ones with {@code cleanup.policy=compact}.
     *
     * @param partitions        partitions of each new topic, at least 1
     * @param replicationFactor replicas of each partition, at most the number of brokers
     * @param timeout           how long to wait for the broker's answer
     * @throws KafkaException   as the broker reports it, e.g. {@code InvalidReplicationFactorException}
     * @throws org.apache.kafka.common.errors.TimeoutException if the broker does not answer in time
     */
    public static Result createAll(
            Admin admin, TopicCatalog catalog, int partitions, short replicationFactor, Duration timeout) {
        List<NewTopic> topics = new ArrayList<>();
        for (TopicSpec spec : catalog.all()) {
            NewTopic topic = new NewTopic(spec.name(), partitions, replicationFactor);
            if (spec.compacted()) {
                topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            topics.add(topic);
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        for (NewTopic topic : topics) {
            String name = topic.name();
            try {
                results.get(name).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                created.add(name);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw asKafkaException(name, e.getCause());
                }
                existing.add(name);
            } catch (TimeoutException e) {
                throw new org.apache.kafka.common.errors.TimeoutException(
                        "the broker did not confirm topic " + name + " within " + timeout.toSeconds() + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while creating topic " + name, e);
            }
        }
        awaitLeaders(admin, created, timeout);
        return new Result(created, existing);
    }

    /**
     * Waits until every partition of the new topics has a leader in the broker's metadata, so that the first
     * writes mostly find their partitions ready. Writing right after creation got NOT_LEADER_OR_FOLLOWER, and on
     * one `bench score` run the idempotent producer's retries then failed with OUT_OF_ORDER_SEQUENCE_NUMBER and
     * records were lost. Producers may still see (and retry) NOT_LEADER_OR_FOLLOWER now and then.
     */
    private static void awaitLeaders(Admin admin, List<String> topics, Duration timeout) {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                boolean ready = admin
                        .describeTopics(topics)
                        .allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .values()
                        .stream()
                        .allMatch(
                                topic -> topic.partitions().stream().allMatch(partition -> partition.leader() != null));
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw asKafkaException(topics.get(0), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new org.apache.kafka.common.errors.TimeoutException(
                        "the broker did not describe the new topics within " + timeout.toSeconds() + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while waiting for partition leaders", e);
            }
            if (System.nanoTime() > deadline) {
                throw new org.apache.kafka.common.errors.TimeoutException(
                        "the new topics had no partition leaders after " + timeout.toSeconds() + " s");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(LEADER_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while waiting for partition leaders", e);
            }
        }
    }

    private static KafkaException asKafkaException(String topic, Throwable cause) {
        if (cause instanceof KafkaException kafka) {
            return kafka;
        }
        return new KafkaException("could not create topic " + topic + ": " + cause, cause);
    }
}
