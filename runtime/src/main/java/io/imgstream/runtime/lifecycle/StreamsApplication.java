package io.imgstream.runtime.lifecycle;

import io.imgstream.runtime.metrics.MetricsExporters;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A running imgstream application built around one Kafka Streams instance and its metrics exporters (the scorer,
 * the training worker): what operators and tests ask of either, answered the same way.
 */
public interface StreamsApplication extends AutoCloseable {

    /** The application's Kafka Streams instance. */
    KafkaStreams streams();

    /** Where the application's metrics are exported. */
    MetricsExporters exporters();

    /** The Kafka Streams state. */
    default KafkaStreams.State state() {
        return streams().state();
    }

    /**
     * Waits until the application is RUNNING (or failed).
     *
     * @return whether it is running
     */
    default boolean awaitRunning(Duration timeout) throws InterruptedException {
        return StreamsLifecycle.awaitRunning(streams(), timeout);
    }

    /** Port of the Prometheus endpoint on 127.0.0.1, or -1 when disabled. */
    default int prometheusPort() {
        return exporters().prometheusPort();
    }

    /** Stops the application; never throws. */
    @Override
    void close();
}
