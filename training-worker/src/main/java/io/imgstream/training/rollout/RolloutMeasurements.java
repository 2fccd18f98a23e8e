package io.imgstream.training.rollout;

import java.time.Instant;
import java.util.Objects;

/** Where the controller gets each step's figures: {@link RolloutFeed} in production. */
public interface RolloutMeasurements extends AutoCloseable {

    /**
     * What to measure: one step of one rollout.
     *
     * @param model          the model
     * @param currentVersion the version of the CURRENT arm
     * @param canaryVersion  the version of the CANARY arm
     * @param since          when the step began
     */
    record Target(String model, int currentVersion, int canaryVersion, Instant since) {

        public Target {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(since, "since");
        }
    }

    /**
     * Measures {@code target} from the start of its step, if it isn't measured yet, and returns its tally so far;
     * measuring another target ends the previous one.
     */
    RolloutTally measure(Target target);

    /** Stops measuring: no rollout is in progress. */
    void idle();

    @Override
    void close();
}
