package io.imgstream.training.rollout;

import io.imgstream.schemas.avro.RolloutAction;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * When a canary moves on: once both arms have at least {@code minLabeled} labeled images since the step began, the
 * canary steps to the next share (or, at the last step, is promoted) if its accuracy is at least the current
 * version's minus {@code maxAccuracyDrop}, and is rolled back otherwise. A step that has not gathered enough labels
 * within {@code stepTimeout} is rolled back too: a canary that can't be judged is not left serving a share of the
 * images indefinitely, and the current version, which earned its place, stays.
 *
 * @param steps           the canary's share at each step, in percent, strictly increasing, each 1 to 99
 * @param minLabeled      labeled images each arm needs before a step is decided
 * @param maxAccuracyDrop how far below the current version's accuracy the canary's may be and still move on
 * @param stepTimeout     how long a step may wait for its labels
 */
public record RolloutPolicy(List<Integer> steps, long minLabeled, double maxAccuracyDrop, Duration stepTimeout) {

    /**
     * What the policy decides at one check.
     *
     * @param action   STEP, PROMOTE or ROLL_BACK
     * @param step     the step the rollout is at after it
     * @param percent  the canary's share after a STEP; 0 otherwise
     * @param reason   one sentence a person can read
     */
    public record Decision(RolloutAction action, int step, int percent, String reason) {}

    public RolloutPolicy {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a rollout needs at least one step");
        }
        for (int i = 0; i < steps.size(); i++) {
            int percent = steps.get(i);
            if (percent < 1 || percent > 99) {
                throw new IllegalArgumentException("a step's share must be 1 to 99 percent, got " + percent);
            }
            if (i > 0 && percent <= steps.get(i - 1)) {
                throw new IllegalArgumentException("steps must grow, got " + steps);
            }
        }
        if (minLabeled < 1) {
            throw new IllegalArgumentException("minLabeled must be at least 1, got " + minLabeled);
        }
        if (!(maxAccuracyDrop >= 0 && maxAccuracyDrop <= 1)) {
            throw new IllegalArgumentException("maxAccuracyDrop must be 0 to 1, got " + maxAccuracyDrop);
        }
        Objects.requireNonNull(stepTimeout, "stepTimeout");
        if (stepTimeout.isNegative() || stepTimeout.isZero()) {
            throw new IllegalArgumentException("stepTimeout must be positive, got " + stepTimeout);
        }
    }

    /** The share a rollout starts at. */
    public int firstPercent() {
        return steps.get(0);
    }

    /**
     * The step a canary at {@code percent} is at: the last step whose share it has reached, the first if it is
     * below them all. A canary started by hand at a share between two steps moves on to the next one.
     */
    public int stepOf(int percent) {
        int step = 0;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) <= percent) {
                step = i;
            }
        }
        return step;
    }

    /**
     * Decides a step, or waits.
     *
     * @param step    the step the canary is at (one past the last is taken as the last)
     * @param current what the current version did since the step began
     * @param canary  what the canary did since the step began
     * @param elapsed how long ago the step began
     * @return empty while the arms lack labels and the step has time left
     */
    public Optional<Decision> decide(int step, ArmTally current, ArmTally canary, Duration elapsed) {
        int at = Math.max(0, Math.min(step, steps.size() - 1));
        if (current.labeled() < minLabeled || canary.labeled() < minLabeled) {
            if (elapsed.compareTo(stepTimeout) < 0) {
                return Optional.empty();
            }
            return Optional.of(new Decision(
                    RolloutAction.ROLL_BACK,
                    at,
                    0,
                    String.format(
                            Locale.ROOT,
                            "Step %d at %d%% gathered %d labeled images on the canary and %d on the current version "
                                    + "within %s, short of the %d each needs.",
                            at,
                            steps.get(at),
                            canary.labeled(),
                            current.labeled(),
                            stepTimeout,
                            minLabeled)));
        }
        double canaryAccuracy = canary.accuracy().orElseThrow();
        double currentAccuracy = current.accuracy().orElseThrow();
        String comparison = String.format(
                Locale.ROOT,
                "canary accuracy %.4f on %d labeled images against %.4f on %d for the current version",
                canaryAccuracy,
                canary.labeled(),
                currentAccuracy,
                current.labeled());
        // A small tolerance keeps figures that are equal on paper (0.1 + 0.2 against 0.3) from rolling back.
        if (canaryAccuracy < currentAccuracy - maxAccuracyDrop - 1e-12) {
            return Optional.of(new Decision(
                    RolloutAction.ROLL_BACK,
                    at,
                    0,
                    String.format(
                            Locale.ROOT,
                            "Rolled back at step %d (%d%%): %s, more than the allowed %.4f below.",
                            at,
                            steps.get(at),
                            comparison,
                            maxAccuracyDrop)));
        }
        if (at == steps.size() - 1) {
            return Optional.of(new Decision(
                    RolloutAction.PROMOTE,
                    at,
                    0,
                    String.format(
                            Locale.ROOT,
                            "Promoted after the last step (%d%%): %s, within the allowed %.4f.",
                            steps.get(at),
                            comparison,
                            maxAccuracyDrop)));
        }
        return Optional.of(new Decision(
                RolloutAction.STEP,
                at + 1,
                steps.get(at + 1),
                String.format(
                        Locale.ROOT,
                        "Stepped from %d%% to %d%%: %s, within the allowed %.4f.",
                        steps.get(at),
                        steps.get(at + 1),
                        comparison,
                        maxAccuracyDrop)));
    }
}
