package io.imgstream.training.rollout;

import io.imgstream.schemas.avro.ArmFigures;
import io.imgstream.schemas.avro.PredictionArm;
import java.util.Optional;

/**
 * What one arm of a rollout did since its step began.
 *
 * @param arm     CURRENT or CANARY
 * @param version the version that serves the arm
 * @param scored  predictions counted
 * @param labeled of those, images that got a label
 * @param correct of the labeled, predictions that matched the label
 */
public record ArmTally(PredictionArm arm, int version, long scored, long labeled, long correct) {

    /** An arm with nothing counted yet. */
    public static ArmTally empty(PredictionArm arm, int version) {
        return new ArmTally(arm, version, 0, 0, 0);
    }

    /** correct / labeled; empty with no labels. */
    public Optional<Double> accuracy() {
        return labeled == 0 ? Optional.empty() : Optional.of((double) correct / labeled);
    }

    /** The figures as the control topic records them. */
    public ArmFigures figures() {
        return ArmFigures.newBuilder()
                .setArm(arm)
                .setModelVersion(version)
                .setScored(scored)
                .setLabeled(labeled)
                .setCorrect(correct)
                .setAccuracy(accuracy().orElse(null))
                .build();
    }
}
