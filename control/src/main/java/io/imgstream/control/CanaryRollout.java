package io.imgstream.control;

import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.time.Instant;
import java.util.Objects;

/**
 * The canary records of the control topic: a version that scores a share of the images instead of the current one
 * (status CANARY with its {@code canaryPercent}, under {@link ModelVersionKeys#canary}), and the record that ends
 * it. Which images are in the share is the scorer's business; this is what the announcers (the CLI, a rollout
 * policy) and the scorers agree on.
 */
public final class CanaryRollout {

    /** The smallest share a canary may have, in percent. */
    public static final int MIN_PERCENT = 1;
    /** The largest share a canary may have, in percent: at 100 it would be the current version, so promote it. */
    public static final int MAX_PERCENT = 99;

    private CanaryRollout() {}

    /** Whether {@code percent} is a share a canary may have. */
    public static boolean validPercent(int percent) {
        return percent >= MIN_PERCENT && percent <= MAX_PERCENT;
    }

    /**
     * The announcement that makes {@code version} the canary at {@code percent}; announcing it again with another
     * share changes the share only (scorers keep the model they loaded).
     *
     * @param version the version's record, of any status (its bundle, sha256 and metrics are kept)
     * @throws IllegalArgumentException if {@code percent} is not within {@value #MIN_PERCENT} to
     *                                  {@value #MAX_PERCENT}
     */
    public static ModelVersion start(ModelVersion version, int percent, Instant now) {
        if (!validPercent(percent)) {
            throw new IllegalArgumentException(
                    "a canary's share must be " + MIN_PERCENT + " to " + MAX_PERCENT + " percent, got " + percent);
        }
        return ModelVersion.newBuilder(version)
                .setStatus(ModelStatus.CANARY)
                .setCanaryPercent(percent)
                .setBundleSignature(null)
                .setCreatedTime(now)
                .build();
    }

    /**
     * The announcement that ends the canary {@code canary} without promoting it: the version recorded as
     * ROLLED_BACK, which {@link ControlTopic} writes under the canary key.
     */
    public static ModelVersion stop(ModelVersion canary, Instant now) {
        Objects.requireNonNull(canary, "canary");
        return ModelVersion.newBuilder(canary)
                .setStatus(ModelStatus.ROLLED_BACK)
                .setCanaryPercent(null)
                .setBundleSignature(null)
                .setCreatedTime(now)
                .build();
    }
}
