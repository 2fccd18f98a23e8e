package io.imgstream.clients.label;

import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.SplitHint;
import java.time.Instant;
import java.util.Locale;

/** Builds {@link LabelFeedback} events from what a person or a file says. */
public final class Labels {

    private Labels() {}

    /**
     * One label.
     *
     * @param imageId    the image's id, as on the images topic
     * @param label      the image's class
     * @param imageUri   where the image is, or null/blank if the worker need not fetch it
     * @param split      {@code any}, {@code train} or {@code holdout}, in any case
     * @param confidence how sure the labeler is, in [0, 1]
     * @param labeler    who labels
     * @param time       when
     * @throws IllegalArgumentException if the split is not one of the three, or the confidence is outside [0, 1]
     */
    public static LabelFeedback of(
            String imageId,
            String label,
            String imageUri,
            String split,
            float confidence,
            String labeler,
            Instant time) {
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence " + confidence + " is not a number in [0, 1]");
        }
        return LabelFeedback.newBuilder()
                .setImageId(imageId)
                .setUri(imageUri == null || imageUri.isBlank() ? null : imageUri)
                .setLabel(label)
                .setLabeler(labeler)
                .setConfidence(confidence)
                .setTime(time)
                .setSplit(splitOf(split))
                .build();
    }

    private static SplitHint splitOf(String text) {
        try {
            return SplitHint.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a split: give any, train or holdout", e);
        }
    }
}
