package io.imgstream.topology.batching;

import java.time.Duration;
import java.util.Objects;

/**
 * How the batcher groups images: see the {@code batch.*} keys of {@link io.imgstream.topology.ScorerConfig}. The
 * batch size is not here: it is the installed models'
 * ({@link io.imgstream.topology.scoring.InferenceExecutor#batchSize()}), and changes with them.
 *
 * @param linger           longest an image waits for its batch to fill
 * @param maxInFlight      batches of one task handed to the forward pass and not yet forwarded, at most
 * @param fetchTimeout     longest a batch waits for one of its images to be fetched and decoded
 * @param inferenceTimeout longest the stream thread waits for a forward pass when the batcher is full
 */
public record BatchingSettings(Duration linger, int maxInFlight, Duration fetchTimeout, Duration inferenceTimeout) {

    public BatchingSettings {
        Objects.requireNonNull(linger, "linger");
        Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        Objects.requireNonNull(inferenceTimeout, "inferenceTimeout");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
    }

    /**
     * Images one task may hold before the stream thread waits for a forward pass: a full batch being formed
     * behind every batch in flight.
     *
     * @param batchSize the batch size in use
     */
    public int maxWaiting(int batchSize) {
        return batchSize * (maxInFlight + 1);
    }
}
