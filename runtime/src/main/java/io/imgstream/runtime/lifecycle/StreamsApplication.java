package io.imgstream.runtime.lifecycle;

import io.imgstream.runtime.metrics.MetricsExporters;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A running imgstream application built around one Kafka Streams instance and its metrics exporters (the scorer,
 * the training worker): what operators and tests ask of either, answered the same way.
 */
public interface StreamsApplication extends AutoCloseable {

    /**
     * What an application runs on.
     *
     * @param streams   its Kafka Streams instance
     * @param exporters where its metrics are exported
     */
    record Parts(KafkaStreams streams, MetricsExporters exporters) {}

    /** What this application runs on. */
    Parts parts();

    /** The Kafka Streams state. */
    default KafkaStreams.State state() {
        return parts().streams().state();
    }

    /**
     * Waits until the application is RUNNING (or failed).
     *
     * @return whether it is running
     */
    default boolean awaitRunning(Duration timeout) throws InterruptedException {
        return StreamsLifecycle.awaitRunning(parts().streams(), timeout);
    }

    /**
     * Why the application is not ready to do its work, or empty once it is: what its readiness endpoint answers.
     * By default, ready while Kafka Streams is RUNNING.
     */
    default Optional<String> notReadyReason() {
        KafkaStreams.State state = state();
        return state == KafkaStreams.State.RUNNING ? Optional.empty() : Optional.of("Kafka Streams is " + state);
    }

    /** Port of the metrics, health and readiness endpoints, or -1 when disabled. */
    default int prometheusPort() {
        return parts().exporters().prometheusPort();
    }

    /** Stops the application; never throws. */
    @Override
    void close();
}
