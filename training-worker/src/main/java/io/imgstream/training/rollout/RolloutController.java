package io.imgstream.training.rollout;

import io.imgstream.control.ControlTopic;
import io.imgstream.control.VersionAnnouncer;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.RolloutAction;
import io.imgstream.schemas.avro.RolloutDecision;
import io.imgstream.training.metrics.TrainingMetrics;
import io.imgstream.training.rollout.RolloutMeasurements.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a model's rollouts by its {@link RolloutPolicy}: starts a canary for a version the worker publishes, and at
 * every check decides the canary's step from the figures of both arms since the step began, announcing each
 * decision as a record with those figures (a CANARY record with the next share, or the record that promotes or rolls
 * back the canary, which {@link ControlTopic} also writes under the canary key).
 *
 * <p>It keeps nothing of its own between checks: where the rollout stands is the latest record under the canary
 * key, read from the control topic at each check: its version, its share, its decision's step (or, for a canary a
 * person started by hand, the step its share has reached) and its creation time, when the step began. A restarted
 * worker, or one that finds a canary it did not start, carries on from there.
 *
 * <p>Not thread-safe: one thread checks.
 */
public final class RolloutController {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutController.class);

    private final String model;
    private final RolloutPolicy policy;
    private final VersionAnnouncer announcer;
    private final RolloutMeasurements measurements;
    private final TrainingMetrics metrics;
    private final Clock clock;
    private Target warnedNoCurrent;

    /**
     * @param model        the model whose rollouts this runs
     * @param policy       when a canary moves on
     * @param announcer    where decisions are announced
     * @param measurements the figures of each step
     * @param metrics      counts decisions and shows the step
     * @param clock        the time decisions are made at
     */
    public RolloutController(
            String model,
            RolloutPolicy policy,
            VersionAnnouncer announcer,
            RolloutMeasurements measurements,
            TrainingMetrics metrics,
            Clock clock) {
        this.model = Objects.requireNonNull(model, "model");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.announcer = Objects.requireNonNull(announcer, "announcer");
        this.measurements = Objects.requireNonNull(measurements, "measurements");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * An announcer that starts a rollout for every CANARY version handed to it: the version goes out at the
     * policy's first share, with a START decision; other announcements pass unchanged.
     */
    public VersionAnnouncer starting(VersionAnnouncer next) {
        return version -> {
            if (version.getStatus() != ModelStatus.CANARY) {
                next.announce(version);
                return;
            }
            ModelVersion started = start(version);
            next.announce(started);
            LOG.info(
                    "Rollout of {} v{}: START. {}",
                    model,
                    version.getVersion(),
                    started.getRolloutDecision().getReason());
            metrics.rolloutDecided(RolloutAction.START);
            metrics.rolloutAt(0, policy.firstPercent());
        };
    }

    private ModelVersion start(ModelVersion candidate) {
        String reason = String.format(
                Locale.ROOT,
                "v%d passed the gate%s; the rollout starts at %d%% of the images.",
                candidate.getVersion(),
                candidate.getMetrics().getAccuracy() == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                " with holdout accuracy %.4f",
                                candidate.getMetrics().getAccuracy()),
                policy.firstPercent());
        return ModelVersion.newBuilder(candidate)
                .setCanaryPercent(policy.firstPercent())
                .setRolloutDecision(RolloutDecision.newBuilder()
                        .setAction(RolloutAction.START)
                        .setReason(reason)
                        .setStep(0)
                        .setArms(List.of())
                        .build())
                .build();
    }

    /**
     * Whether a canary of the model is in progress, as of {@code records}: while it is, the worker publishes no
     * other version.
     */
    public boolean inProgress(Map<String, ModelVersion> records) {
        return ControlTopic.canary(records, model).isPresent();
    }

    /**
     * Checks the rollout in progress and announces a decision when one is due.
     *
     * @param records the control topic's latest record per key
     * @return the decision record announced, if one was
     * @throws org.apache.kafka.common.KafkaException if the decision can't be announced (it is made again at the
     *                                                next check)
     */
    public Optional<ModelVersion> check(Map<String, ModelVersion> records) {
        Optional<ModelVersion> found = ControlTopic.canary(records, model);
        if (found.isEmpty()) {
            measurements.idle();
            metrics.rolloutAt(-1, 0);
            return Optional.empty();
        }
        ModelVersion canary = found.get();
        int percent = canary.getCanaryPercent() == null ? 0 : canary.getCanaryPercent();
        int step = canary.getRolloutDecision() == null
                ? policy.stepOf(percent)
                : Math.min(canary.getRolloutDecision().getStep(), policy.steps().size() - 1);
        metrics.rolloutAt(step, percent);
        Optional<ModelVersion> current = ControlTopic.current(records, model);
        Instant since = canary.getCreatedTime();
        Target target = new Target(model, current.map(ModelVersion::getVersion).orElse(0), canary.getVersion(), since);
        if (current.isEmpty()) {
            if (!target.equals(warnedNoCurrent)) {
                LOG.warn(
                        "Canary {} v{} has no current version to be compared with: no decision until one is "
                                + "promoted",
                        model,
                        canary.getVersion());
                warnedNoCurrent = target;
            }
            measurements.idle();
            return Optional.empty();
        }
        RolloutTally tally = measurements.measure(target);
        ArmTally currentArm = tally.current();
        ArmTally canaryArm = tally.canary();
        Instant now = clock.instant();
        Optional<RolloutPolicy.Decision> decided =
                policy.decide(step, currentArm, canaryArm, Duration.between(since, now));
        if (decided.isEmpty()) {
            return Optional.empty();
        }
        RolloutPolicy.Decision decision = decided.get();
        ModelVersion record = record(canary, decision, currentArm, canaryArm, now);
        announcer.announce(record);
        LOG.info("Rollout of {} v{}: {}. {}", model, canary.getVersion(), decision.action(), decision.reason());
        metrics.rolloutDecided(decision.action());
        if (decision.action() == RolloutAction.STEP) {
            metrics.rolloutAt(decision.step(), decision.percent());
        } else {
            metrics.rolloutAt(-1, 0);
        }
        return Optional.of(record);
    }

    private static ModelVersion record(
            ModelVersion canary, RolloutPolicy.Decision decision, ArmTally current, ArmTally arm, Instant now) {
        ModelVersion.Builder record = ModelVersion.newBuilder(canary)
                .setCreatedTime(now)
                .setRolloutDecision(RolloutDecision.newBuilder()
                        .setAction(decision.action())
                        .setReason(decision.reason())
                        .setStep(decision.step())
                        .setArms(List.of(current.figures(), arm.figures()))
                        .build());
        return switch (decision.action()) {
            case STEP ->
                record.setStatus(ModelStatus.CANARY)
                        .setCanaryPercent(decision.percent())
                        .build();
            case PROMOTE ->
                record.setStatus(ModelStatus.PROMOTED).setCanaryPercent(null).build();
            case ROLL_BACK ->
                record.setStatus(ModelStatus.ROLLED_BACK).setCanaryPercent(null).build();
            default -> throw new IllegalStateException("the policy does not decide " + decision.action());
        };
    }
}
