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
     * @param streams    its Kafka Streams instance
     * @param exporters  where its metrics are exported
     * @param background its own threads beside Kafka Streams'
     */
    record Parts(KafkaStreams streams, MetricsExporters exporters, BackgroundThreads background) {

        /** The parts of an application that starts no background thread of its own. */
        public Parts(KafkaStreams streams, MetricsExporters exporters) {
            this(streams, exporters, new BackgroundThreads(() -> {}));
        }
    }

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
     * Why the application failed for good, or empty while it has not: one of its background threads died, or Kafka
     * Streams is in ERROR.
     */
    default Optional<String> failureReason() {
        Optional<String> died = parts().background().failure().map(BackgroundThreads.Failure::reason);
        if (died.isPresent()) {
            return died;
        }
        KafkaStreams.State state = state();
        return state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                ? Optional.of("Kafka Streams is " + state)
                : Optional.empty();
    }

    /**
     * Whether the application stopped doing its work for good: it failed, or Kafka Streams is shutting down or
     * down.
     */
    default boolean hasStopped() {
        return failureReason().isPresent() || !state().isRunningOrRebalancing();
    }

    /**
     * Why the application is not ready to do its work, or empty once it is: what its readiness endpoint answers.
     * Ready while Kafka Streams is RUNNING and no background thread has died.
     */
    default Optional<String> notReadyReason() {
        Optional<String> failed = failureReason();
        if (failed.isPresent()) {
            return failed;
        }
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
