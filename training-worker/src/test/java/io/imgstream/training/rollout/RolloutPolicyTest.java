package io.imgstream.training.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.avro.PredictionArm;
import io.imgstream.schemas.avro.RolloutAction;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutPolicyTest {

    private static final RolloutPolicy POLICY = new RolloutPolicy(List.of(10, 50), 100, 0.02, Duration.ofHours(1));
    private static final Duration EARLY = Duration.ofMinutes(5);

    @Test
    void shouldWaitWhileAnArmLacksLabelsAndTheStepHasTime() {
        assertThat(POLICY.decide(
                        0, arm(PredictionArm.CURRENT, 500, 99, 99), arm(PredictionArm.CANARY, 500, 100, 100), EARLY))
                .as("the current version has 99 labeled images")
                .isEmpty();
        assertThat(POLICY.decide(0, arm(PredictionArm.CURRENT, 0, 0, 0), arm(PredictionArm.CANARY, 0, 0, 0), EARLY))
                .as("no labels at all")
                .isEmpty();
    }

    @Test
    void shouldStepWhenTheCanaryIsAsGoodWithinTheAllowedDrop() {
        RolloutPolicy.Decision decision = POLICY.decide(
                        0, arm(PredictionArm.CURRENT, 900, 100, 90), arm(PredictionArm.CANARY, 100, 100, 88), EARLY)
                .orElseThrow();

        assertThat(decision.action()).isEqualTo(RolloutAction.STEP);
        assertThat(decision.step()).isEqualTo(1);
        assertThat(decision.percent()).isEqualTo(50);
        assertThat(decision.reason()).contains("10% to 50%").contains("0.8800").contains("0.9000");
    }

    @Test
    void shouldPromoteAtTheLastStep() {
        RolloutPolicy.Decision decision = POLICY.decide(
                        1, arm(PredictionArm.CURRENT, 500, 100, 80), arm(PredictionArm.CANARY, 500, 100, 95), EARLY)
                .orElseThrow();

        assertThat(decision.action()).isEqualTo(RolloutAction.PROMOTE);
        assertThat(decision.step()).isEqualTo(1);
    }

    @Test
    void shouldRollBackACanaryWorseByMoreThanTheAllowedDrop() {
        RolloutPolicy.Decision decision = POLICY.decide(
                        1, arm(PredictionArm.CURRENT, 500, 100, 90), arm(PredictionArm.CANARY, 500, 100, 87), EARLY)
                .orElseThrow();

        assertThat(decision.action()).isEqualTo(RolloutAction.ROLL_BACK);
        assertThat(decision.reason()).contains("0.8700").contains("0.9000");
    }

    @Test
    void shouldRollBackAStepThatCantGatherItsLabelsInTime() {
        RolloutPolicy.Decision decision = POLICY.decide(
                        0,
                        arm(PredictionArm.CURRENT, 5000, 400, 300),
                        arm(PredictionArm.CANARY, 40, 3, 3),
                        Duration.ofHours(1))
                .orElseThrow();

        assertThat(decision.action()).isEqualTo(RolloutAction.ROLL_BACK);
        assertThat(decision.reason()).contains("3 labeled images on the canary");
    }

    @Test
    void shouldPlaceAShareStartedByHandAtTheStepItReached() {
        assertThat(POLICY.stepOf(5)).isZero();
        assertThat(POLICY.stepOf(10)).isZero();
        assertThat(POLICY.stepOf(25)).isZero();
        assertThat(POLICY.stepOf(50)).isEqualTo(1);
        assertThat(POLICY.stepOf(90)).isEqualTo(1);
    }

    @Test
    void shouldRefuseStepsThatDontGrowOrArentShares() {
        assertThatThrownBy(() -> new RolloutPolicy(List.of(50, 10), 1, 0, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RolloutPolicy(List.of(10, 100), 1, 0, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RolloutPolicy(List.of(), 1, 0, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ArmTally arm(PredictionArm arm, long scored, long labeled, long correct) {
        return new ArmTally(arm, arm == PredictionArm.CURRENT ? 1 : 2, scored, labeled, correct);
    }
}
