package io.imgstream.evaluation;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The offsets a replay reads: per partition, from {@code start} (inclusive) to {@code end} (exclusive).
 *
 * @param topic  the replayed topic
 * @param ranges per partition, {@code [start, end]}
 */
public record ReplayPlan(String topic, Map<TopicPartition, long[]> ranges) {

    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    /** Records in the range (aborted transactions' records included, so an upper bound). */
    public long records() {
        return ranges.values().stream().mapToLong(r -> r[1] - r[0]).sum();
    }

    /**
     * Resolves the bounds against the topic as it is now.
     *
     * @throws ReplayException if the topic does not exist, retention no longer holds the start, or the range is empty
     */
    public static ReplayPlan resolve(Consumer<?, ?> consumer, String topic, ReplayBound from, ReplayBound to) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new ReplayException("topic '" + topic + "' does not exist");
        }
        List<TopicPartition> partitions = infos.stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .toList();
        // Assigned, so the offset lookups below update this consumer's view instead of warning about it.
        consumer.assign(partitions);
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions, METADATA_TIMEOUT);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, METADATA_TIMEOUT);
        Map<TopicPartition, long[]> ranges = new LinkedHashMap<>();
        for (TopicPartition partition : partitions) {
            long first = beginning.get(partition);
            long last = end.get(partition);
            long start = offset(consumer, partition, from, first, last, true);
            long stop = Math.min(last, offset(consumer, partition, to, first, last, false));
            ranges.put(partition, new long[] {start, Math.max(start, stop)});
        }
        ReplayPlan plan = new ReplayPlan(topic, ranges);
        if (plan.records() == 0) {
            throw new ReplayException("the range from " + from + " to " + to + " of '" + topic + "' holds no records "
                    + "(the topic's offsets now: " + describe(beginning, end) + ")");
        }
        return plan;
    }

    private static long offset(
            Consumer<?, ?> consumer,
            TopicPartition partition,
            ReplayBound bound,
            long first,
            long last,
            boolean isStart) {
        if (bound instanceof ReplayBound.Beginning) {
            return first;
        }
        if (bound instanceof ReplayBound.End) {
            return last;
        }
        if (bound instanceof ReplayBound.AtOffset at) {
            if (isStart && at.offset() < first) {
                throw new ReplayException("partition " + partition + " no longer holds offset " + at.offset()
                        + ": retention removed it (the earliest is " + first + "); start from " + first
                        + " or later, or replay from a time");
            }
            return at.offset();
        }
        ReplayBound.AtTime at = (ReplayBound.AtTime) bound;
        OffsetAndTimestamp found = consumer.offsetsForTimes(
                        Map.of(partition, at.time().toEpochMilli()), METADATA_TIMEOUT)
                .get(partition);
        // Offsets below the first retained one existed; when the first left is newer than the asked time, the
        // records of that time may be among the removed.
        if (isStart
                && first > 0
                && found != null
                && found.offset() == first
                && found.timestamp() > at.time().toEpochMilli()) {
            throw new ReplayException("partition " + partition + " no longer holds records from " + at.time()
                    + ": retention removed offsets below " + first + " (the earliest left is from "
                    + Instant.ofEpochMilli(found.timestamp()) + "); start from that time or later");
        }
        return found == null ? last : found.offset();
    }

    private static String describe(Map<TopicPartition, Long> beginning, Map<TopicPartition, Long> end) {
        StringBuilder text = new StringBuilder();
        beginning.forEach((partition, first) -> text.append(text.length() == 0 ? "" : ", ")
                .append(partition.partition())
                .append(": ")
                .append(first)
                .append("-")
                .append(end.get(partition)));
        return text.toString();
    }
}
