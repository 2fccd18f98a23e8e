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
        // Kafka tagged these metrics with the topic's dots replaced by underscores; since 4.0 it also registers them
        // tagged with the name itself, and drops the old tags later. Count the exact ones when there are, else the
        // old, never both.
        String replaced = topic.replace('.', '_');
        Lag exact = new Lag();
        Lag old = new Lag();
        for (Map.Entry<MetricName, ? extends Metric> entry : metrics.entrySet()) {
            MetricName name = entry.getKey();
            if (RECORDS_LAG.equals(name.name())
                    && GROUP.equals(name.group())
                    && name.tags().containsKey("partition")) {
                String tag = name.tags().get("topic");
                if (topic.equals(tag)) {
                    exact.add(entry.getValue());
                } else if (replaced.equals(tag)) {
                    old.add(entry.getValue());
                }
            }
        }
        return exact.found ? exact.records() : old.records();
    }

    /** Lag summed over partitions; a partition whose lag is not known yet counts nothing. */
    private static final class Lag {
        private boolean found;
        private double records;

        void add(Metric metric) {
            found = true;
            if (metric.metricValue() instanceof Number value && !Double.isNaN(value.doubleValue())) {
                records += value.doubleValue();
            }
        }

        long records() {
            return (long) records;
        }
    }
}
