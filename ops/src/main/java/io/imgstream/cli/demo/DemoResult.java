package io.imgstream.cli.demo;

import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.Prediction;

/**
 * What happened to one demo image: a prediction, or a dead letter.
 *
 * @param file       the image's file name (or URI for references to no file)
 * @param trueLabel  the label the image was shipped with, or null when unknown
 * @param prediction the prediction, or null if dead-lettered
 * @param deadLetter the dead letter, or null if predicted
 */
public record DemoResult(String file, String trueLabel, Prediction prediction, DeadLetter deadLetter) {

    static DemoResult predicted(String file, String trueLabel, Prediction prediction) {
        return new DemoResult(file, trueLabel, prediction, null);
    }

    static DemoResult deadLettered(String file, DeadLetter deadLetter) {
        return new DemoResult(file, null, null, deadLetter);
    }

    /** The most probable class, or null if dead-lettered. */
    public String predictedLabel() {
        return prediction == null ? null : prediction.getTopK().get(0).getLabel();
    }

    /** Whether the image was predicted as the label it was shipped with. */
    public boolean correct() {
        return trueLabel != null && trueLabel.equals(predictedLabel());
    }
}
