package io.imgstream.topology.metrics;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * How far an application's consumers are behind on one topic: the sum of their {@code records-lag} metrics (records
 * between a partition's position and its high watermark) over the partitions of the topic they are assigned. A
 * partition whose lag is not known yet (no fetch answered) counts nothing.
 */
public final class ConsumerLag {

    private static final String GROUP = "consumer-fetch-manager-metrics";
    private static final String RECORDS_LAG = "records-lag";

    private ConsumerLag() {}

    /**
     * @param metrics the client metrics, such as {@code KafkaStreams.metrics()}
     * @param topic   the topic
     * @return the records behind, summed over the topic's assigned partitions
     */
    public static long of(Map<MetricName, ? extends Metric> metrics, String topic) {
        // Some clients' per-partition metrics tag the topic with its dots replaced.
        String tagged = topic.replace('.', '_');
        double lag = 0;
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            MetricName name = entry.getKey();
            String tag = name.tags().get("topic");
            if (RECORDS_LAG.equals(name.name())
                    && GROUP.equals(name.group())
                    && name.tags().containsKey("partition")
                    && (topic.equals(tag) || tagged.equals(tag))
                    && entry.getValue().metricValue() instanceof Number value
                    && !Double.isNaN(value.doubleValue())) {
                lag += value.doubleValue();
            }
        }
        return (long) lag;
    }
}
