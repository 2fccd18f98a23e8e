package io.imgstream.training.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.LatencyBreakdown;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.schemas.avro.PredictionArm;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutTallyTest {

    private static final Instant STEP_BEGAN = Instant.parse("2026-12-03T10:00:00Z");
    private static final Instant AFTER = STEP_BEGAN.plusSeconds(60);

    private final RolloutTally tally = new RolloutTally("pets", 3, 4, STEP_BEGAN, 1000);

    @Test
    void shouldCountNothingWithoutPredictionsOrLabels() {
        assertThat(tally.current()).isEqualTo(ArmTally.empty(PredictionArm.CURRENT, 3));
        assertThat(tally.canary()).isEqualTo(ArmTally.empty(PredictionArm.CANARY, 4));
        assertThat(tally.canary().accuracy()).isEmpty();
        assertThat(tally.canary().figures().getAccuracy()).isNull();
    }

    @Test
    void shouldCountEachArmsPredictionsAgainstTheirLabels() {
        assertThat(tally.predicted(prediction("a", "pets", 3, PredictionArm.CURRENT, "cat", AFTER)))
                .isTrue();
        assertThat(tally.predicted(prediction("b", "pets", 3, PredictionArm.CURRENT, "dog", AFTER)))
                .isTrue();
        assertThat(tally.predicted(prediction("c", "pets", 4, PredictionArm.CANARY, "cat", AFTER)))
                .isTrue();
        tally.labeled(label("a", "cat"));
        tally.labeled(label("b", "cat"));
        tally.labeled(label("c", "cat"));

        assertThat(tally.current()).isEqualTo(new ArmTally(PredictionArm.CURRENT, 3, 2, 2, 1));
        assertThat(tally.canary()).isEqualTo(new ArmTally(PredictionArm.CANARY, 4, 1, 1, 1));
        assertThat(tally.current().accuracy()).contains(0.5);
    }

    @Test
    void shouldIgnorePredictionsOfOtherModelsVersionsArmsOrBeforeTheStep() {
        assertThat(tally.predicted(prediction("a", "petshop", 3, PredictionArm.CURRENT, "cat", AFTER)))
                .as("another model")
                .isFalse();
        assertThat(tally.predicted(prediction("b", "pets", 2, PredictionArm.CURRENT, "cat", AFTER)))
                .as("an older current version")
                .isFalse();
        assertThat(tally.predicted(prediction("c", "pets", 4, PredictionArm.CURRENT, "cat", AFTER)))
                .as("the canary's version on the wrong arm")
                .isFalse();
        assertThat(tally.predicted(prediction("d", "pets", 4, PredictionArm.SHADOW, "cat", AFTER)))
                .as("the shadow")
                .isFalse();
        assertThat(tally.predicted(prediction("e", "pets", 4, PredictionArm.CANARY, "cat", STEP_BEGAN.minusMillis(1))))
                .as("scored before the step began")
                .isFalse();
        for (String image : List.of("a", "b", "c", "d", "e")) {
            tally.labeled(label(image, "cat"));
        }

        assertThat(tally.current()).isEqualTo(ArmTally.empty(PredictionArm.CURRENT, 3));
        assertThat(tally.canary()).isEqualTo(ArmTally.empty(PredictionArm.CANARY, 4));
    }

    @Test
    void shouldCountALabelThatArrivedBeforeItsPrediction() {
        tally.labeled(label("a", "cat"));
        assertThat(tally.canary().labeled()).isZero();

        tally.predicted(prediction("a", "pets", 4, PredictionArm.CANARY, "cat", AFTER));

        assertThat(tally.canary()).isEqualTo(new ArmTally(PredictionArm.CANARY, 4, 1, 1, 1));
    }

    @Test
    void shouldCountAnImageOnceHoweverOftenItIsLabeledOrScored() {
        tally.predicted(prediction("a", "pets", 4, PredictionArm.CANARY, "cat", AFTER));
        tally.labeled(label("a", "cat"));
        tally.labeled(label("a", "cat"));
        assertThat(tally.predicted(prediction("a", "pets", 4, PredictionArm.CANARY, "cat", AFTER)))
                .as("a replayed prediction")
                .isFalse();
        assertThat(tally.canary()).isEqualTo(new ArmTally(PredictionArm.CANARY, 4, 1, 1, 1));

        tally.labeled(label("a", "dog"));
        assertThat(tally.canary())
                .as("a relabel replaces the label: still one labeled image, now wrong")
                .isEqualTo(new ArmTally(PredictionArm.CANARY, 4, 1, 1, 0));
        tally.labeled(label("a", "cat"));
        assertThat(tally.canary()).isEqualTo(new ArmTally(PredictionArm.CANARY, 4, 1, 1, 1));
    }

    @Test
    void shouldForgetTheLeastRecentImagesPastItsCapacityButKeepTheirCounts() {
        RolloutTally small = new RolloutTally("pets", 3, 4, STEP_BEGAN, 2);
        small.predicted(prediction("a", "pets", 4, PredictionArm.CANARY, "cat", AFTER));
        small.predicted(prediction("b", "pets", 4, PredictionArm.CANARY, "cat", AFTER));
        small.predicted(prediction("c", "pets", 4, PredictionArm.CANARY, "cat", AFTER));
        small.labeled(label("a", "cat"));
        small.labeled(label("c", "cat"));

        assertThat(small.canary())
                .as("a was forgotten: its prediction counts, its label finds nothing")
                .isEqualTo(new ArmTally(PredictionArm.CANARY, 4, 3, 1, 1));
    }

    private static Prediction prediction(
            String imageId, String model, int version, PredictionArm arm, String top, Instant scored) {
        return Prediction.newBuilder()
                .setImageId(imageId)
                .setImageUri("file:///images/" + imageId + ".png")
                .setModelName(model)
                .setModelVersion(version)
                .setTopK(List.of(new ClassProbability(top, 0.9f)))
                .setProbabilities(Map.of(top, 0.9f))
                .setEventTime(scored)
                .setScoredTime(scored)
                .setBatchId("batch")
                .setLatency(new LatencyBreakdown(0.0, 0.0, 0.0))
                .setArm(arm)
                .build();
    }

    static LabelFeedback label(String imageId, String label) {
        return LabelFeedback.newBuilder()
                .setImageId(imageId)
                .setLabel(label)
                .setLabeler("test")
                .setTime(AFTER)
                .build();
    }
}
