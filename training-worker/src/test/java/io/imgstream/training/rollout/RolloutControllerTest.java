package io.imgstream.training.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.codahale.metrics.MetricRegistry;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.control.VersionAnnouncer;
import io.imgstream.schemas.avro.ArmFigures;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.LatencyBreakdown;
import io.imgstream.schemas.avro.ModelMetrics;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.schemas.avro.PredictionArm;
import io.imgstream.schemas.avro.RolloutAction;
import io.imgstream.schemas.avro.RolloutDecision;
import io.imgstream.training.metrics.TrainingMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

class RolloutControllerTest {

    private static final Instant STARTED = Instant.parse("2026-12-03T10:00:00Z");
    private static final Instant NOW = STARTED.plus(Duration.ofMinutes(10));
    private static final RolloutPolicy POLICY = new RolloutPolicy(List.of(10, 50), 4, 0.0, Duration.ofHours(1));

    private final List<ModelVersion> announced = new ArrayList<>();
    private final List<RolloutMeasurements.Target> measured = new ArrayList<>();
    private final TrainingMetrics metrics = new TrainingMetrics(new MetricRegistry());
    private RolloutTally tally;

    private final RolloutMeasurements measurements = new RolloutMeasurements() {
        @Override
        public RolloutTally measure(Target target) {
            measured.add(target);
            if (tally == null) {
                tally = new RolloutTally(
                        target.model(), target.currentVersion(), target.canaryVersion(), target.since(), 100);
            }
            return tally;
        }

        @Override
        public void idle() {
            tally = null;
        }

        @Override
        public void close() {}
    };

    private final RolloutController controller = new RolloutController(
            "pets", POLICY, announced::add, measurements, metrics, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void shouldStartAVersionItPublishesAsACanaryAtTheFirstStep() {
        controller.starting(announced::add).announce(version(2, ModelStatus.CANARY, STARTED));
        controller.starting(announced::add).announce(version(3, ModelStatus.REJECTED, STARTED));

        ModelVersion started = announced.get(0);
        assertThat(started.getCanaryPercent()).isEqualTo(10);
        assertThat(started.getRolloutDecision().getAction()).isEqualTo(RolloutAction.START);
        assertThat(started.getRolloutDecision().getStep()).isZero();
        assertThat(announced.get(1).getRolloutDecision()).as("not a canary").isNull();
        assertThat(metrics.registry()
                        .counter(TrainingMetrics.ROLLOUT_DECISIONS + ".START")
                        .getCount())
                .isEqualTo(1);
    }

    @Test
    void shouldCountNoStartThatWasNotAnnounced() {
        VersionAnnouncer broken = version -> {
            throw new KafkaException("the broker is away");
        };

        assertThatThrownBy(() -> controller.starting(broken).announce(version(2, ModelStatus.CANARY, STARTED)))
                .isInstanceOf(KafkaException.class);
        assertThat(metrics.registry()
                        .counter(TrainingMetrics.ROLLOUT_DECISIONS + ".START")
                        .getCount())
                .isZero();
    }

    @Test
    void shouldStepWithTheFiguresOfBothArmsSinceTheStepBegan() {
        Map<String, ModelVersion> records = records(started(2, 10, 0));
        controller.check(records);
        score(PredictionArm.CURRENT, 1, 4, 3);
        score(PredictionArm.CANARY, 2, 4, 4);

        ModelVersion step = controller.check(records).orElseThrow();

        assertThat(step.getStatus()).isEqualTo(ModelStatus.CANARY);
        assertThat(step.getCanaryPercent()).isEqualTo(50);
        assertThat(step.getCreatedTime()).as("the next step begins now").isEqualTo(NOW);
        RolloutDecision decision = step.getRolloutDecision();
        assertThat(decision.getAction()).isEqualTo(RolloutAction.STEP);
        assertThat(decision.getStep()).isEqualTo(1);
        assertThat(decision.getArms())
                .extracting(
                        ArmFigures::getArm,
                        ArmFigures::getModelVersion,
                        ArmFigures::getLabeled,
                        ArmFigures::getCorrect,
                        ArmFigures::getAccuracy)
                .containsExactly(
                        tuple(PredictionArm.CURRENT, 1, 4L, 3L, 0.75), tuple(PredictionArm.CANARY, 2, 4L, 4L, 1.0));
        assertThat(announced).containsExactly(step);
        assertThat(measured).allMatch(t -> t.since().equals(STARTED) && t.canaryVersion() == 2);
        assertThat(metrics.registry()
                        .counter(TrainingMetrics.ROLLOUT_DECISIONS + ".STEP")
                        .getCount())
                .isEqualTo(1);
    }

    @Test
    void shouldPromoteOrRollBackFromTheStepTheControlTopicRecords() {
        Map<String, ModelVersion> records = records(started(2, 50, 1));
        controller.check(records);
        score(PredictionArm.CURRENT, 1, 4, 4);
        score(PredictionArm.CANARY, 2, 4, 4);

        ModelVersion promoted = controller.check(records).orElseThrow();

        assertThat(promoted.getStatus()).isEqualTo(ModelStatus.PROMOTED);
        assertThat(promoted.getCanaryPercent()).isNull();
        assertThat(promoted.getRolloutDecision().getAction()).isEqualTo(RolloutAction.PROMOTE);

        tally = null;
        controller.check(records);
        score(PredictionArm.CURRENT, 1, 4, 4);
        score(PredictionArm.CANARY, 2, 4, 3);
        ModelVersion rolledBack = controller.check(records).orElseThrow();
        assertThat(rolledBack.getStatus()).isEqualTo(ModelStatus.ROLLED_BACK);
        assertThat(rolledBack.getRolloutDecision().getAction()).isEqualTo(RolloutAction.ROLL_BACK);
    }

    @Test
    void shouldAdoptACanaryStartedByHandAtTheStepItsShareReached() {
        ModelVersion byHand = version(2, ModelStatus.CANARY, STARTED);
        byHand.setCanaryPercent(60);
        Map<String, ModelVersion> records = records(byHand);
        controller.check(records);
        score(PredictionArm.CURRENT, 1, 4, 4);
        score(PredictionArm.CANARY, 2, 4, 4);

        ModelVersion decided = controller.check(records).orElseThrow();

        assertThat(decided.getRolloutDecision().getAction())
                .as("60% is past the last step, 50%")
                .isEqualTo(RolloutAction.PROMOTE);
    }

    @Test
    void shouldDoNothingWithoutACanaryOrOnceItEnded() {
        ModelVersion ended = started(2, 10, 0);
        ended.setStatus(ModelStatus.ROLLED_BACK);

        assertThat(controller.check(records(ended))).isEmpty();
        assertThat(controller.inProgress(records(ended))).isFalse();
        assertThat(controller.check(Map.of())).isEmpty();
        assertThat(measured).isEmpty();
    }

    private void score(PredictionArm arm, int version, int images, int correct) {
        for (int i = 0; i < images; i++) {
            String image = arm + "-" + i;
            tally.predicted(Prediction.newBuilder()
                    .setImageId(image)
                    .setImageUri("file:///images/" + image)
                    .setModelName("pets")
                    .setModelVersion(version)
                    .setTopK(List.of(new ClassProbability("cat", 0.9f)))
                    .setProbabilities(Map.of("cat", 0.9f))
                    .setEventTime(STARTED.plusSeconds(1))
                    .setScoredTime(STARTED.plusSeconds(1))
                    .setBatchId("b")
                    .setLatency(new LatencyBreakdown(0.0, 0.0, 0.0))
                    .setArm(arm)
                    .build());
            tally.labeled(RolloutTallyTest.label(image, i < correct ? "cat" : "dog"));
        }
    }

    private static Map<String, ModelVersion> records(ModelVersion canary) {
        Map<String, ModelVersion> records = new HashMap<>();
        records.put(ModelVersionKeys.current("pets"), version(1, ModelStatus.PROMOTED, STARTED.minusSeconds(3600)));
        records.put(ModelVersionKeys.canary("pets"), canary);
        return records;
    }

    private static ModelVersion started(int version, int percent, int step) {
        ModelVersion canary = version(version, ModelStatus.CANARY, STARTED);
        canary.setCanaryPercent(percent);
        canary.setRolloutDecision(RolloutDecision.newBuilder()
                .setAction(step == 0 ? RolloutAction.START : RolloutAction.STEP)
                .setReason("a test")
                .setStep(step)
                .build());
        return canary;
    }

    private static ModelVersion version(int version, ModelStatus status, Instant created) {
        return ModelVersion.newBuilder()
                .setModelName("pets")
                .setVersion(version)
                .setBaseModelId("small")
                .setBundleUri("file:///models/pets/v" + version + "/bundle.zip")
                .setBundleSha256("0".repeat(64))
                .setClasses(List.of("cat", "dog"))
                .setInputHeight(16)
                .setInputWidth(16)
                .setInputChannels(1)
                .setPreprocessing("UNIT")
                .setResizePolicy("SQUASH")
                .setMetrics(ModelMetrics.newBuilder().build())
                .setCreatedTime(created)
                .setStatus(status)
                .build();
    }
}
