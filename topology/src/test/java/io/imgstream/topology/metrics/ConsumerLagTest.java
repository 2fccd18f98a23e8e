package io.imgstream.topology.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

/** The lag is read from metrics named as Kafka's consumers name theirs, in a real Kafka metrics registry. */
class ConsumerLagTest {

    private final Metrics registry = new Metrics();

    private void lag(String client, String topic, int partition, double records) {
        registry.addMetric(
                registry.metricName(
                        "records-lag",
                        "consumer-fetch-manager-metrics",
                        "",
                        Map.of("client-id", client, "topic", topic, "partition", String.valueOf(partition))),
                (Gauge<Double>) (config, now) -> records);
    }

    @Test
    void shouldSumTheLagOfTheTopicsPartitionsOverEveryConsumer() {
        lag("app-StreamThread-1-consumer", "images", 0, 12);
        lag("app-StreamThread-2-consumer", "images", 1, 30);
        lag("app-StreamThread-2-consumer", "images", 2, Double.NaN);
        lag("app-StreamThread-1-restore-consumer", "app-pending-images-changelog", 0, 500);
        registry.addMetric(
                registry.metricName(
                        "records-lag-max",
                        "consumer-fetch-manager-metrics",
                        "",
                        Map.of("client-id", "app-StreamThread-1-consumer")),
                (Gauge<Double>) (config, now) -> 30.0);

        assertThat(ConsumerLag.of(registry.metrics(), "images"))
                .as("partitions 0 and 1; partition 2 not fetched yet; the changelog is not the topic")
                .isEqualTo(42);
        assertThat(ConsumerLag.of(registry.metrics(), "other")).isZero();
    }

    @Test
    void shouldFindATopicWhoseDotsTheClientReplacedInItsTag() {
        lag("app-StreamThread-1-consumer", "prod_images", 0, 7);

        assertThat(ConsumerLag.of(registry.metrics(), "prod.images")).isEqualTo(7);
    }

    @Test
    void shouldCountEachPartitionOnceWhenTheClientTagsItBothWays() {
        lag("app-StreamThread-1-consumer", "prod_images", 0, 7);
        lag("app-StreamThread-1-consumer", "prod.images", 0, 7);

        assertThat(ConsumerLag.of(registry.metrics(), "prod.images")).isEqualTo(7);
    }
}
