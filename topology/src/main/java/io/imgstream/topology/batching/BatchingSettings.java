package io.imgstream.topology.batching;

import java.time.Duration;
import java.util.Objects;

/**
 * How the batcher groups images: see the {@code batch.*} keys of {@link io.imgstream.topology.ScorerConfig}.
 *
 * @param batchSize        images per forward pass, at most
 * @param linger           longest an image waits for its batch to fill
 * @param maxInFlight      batches of one task handed to the forward pass and not yet forwarded, at most
 * @param fetchTimeout     longest a batch waits for one of its images to be fetched and decoded
 * @param inferenceTimeout longest the stream thread waits for a forward pass when the batcher is full
 */
public record BatchingSettings(
        int batchSize, Duration linger, int maxInFlight, Duration fetchTimeout, Duration inferenceTimeout) {

    public BatchingSettings {
        Objects.requireNonNull(linger, "linger");
        Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        Objects.requireNonNull(inferenceTimeout, "inferenceTimeout");
        if (batchSize < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException(
                    "batchSize and maxInFlight must be at least 1, got " + batchSize + " and " + maxInFlight);
        }
    }

    /**
     * Images one task may hold before the stream thread waits for a forward pass: a full batch being formed
     * behind every batch in flight.
     */
    public int maxWaiting() {
        return batchSize * (maxInFlight + 1);
    }
}
