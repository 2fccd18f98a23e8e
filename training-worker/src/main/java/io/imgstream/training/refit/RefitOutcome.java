package io.imgstream.training.refit;

import io.imgstream.schemas.avro.ModelStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one refit did.
 *
 * @param started           when the refit began
 * @param skipped           why no candidate was trained, or empty when one was
 * @param version           the candidate's version (0 when skipped)
 * @param status            how it was announced: PROMOTED or SHADOW when it passed the gate, REJECTED when not
 * @param classes           its classes
 * @param labeledImages     usable images of the labeled set (with features)
 * @param trainSize         images trained on
 * @param validationSize    images early stopping watched
 * @param holdoutSize       images evaluated on
 * @param fineTuned         whether the base's last layers were fine-tuned with the head, not the head alone
 * @param unusable          labeled images left out, counted by reason
 * @param backfilled        images whose features this refit computed
 * @param accuracy          the candidate's holdout accuracy
 * @param currentAccuracy   the current version's accuracy on the same holdout (or as recorded), if there is one
 * @param epochs            epochs trained
 * @param backfillTime      time computing missing features
 * @param fitTime           time training the head, and fine-tuning it with the base when it was
 * @param evaluateTime      time evaluating candidate and current version
 * @param publishTime       time assembling, saving and announcing the bundle
 */
public record RefitOutcome(
        Instant started,
        Optional<String> skipped,
        int version,
        ModelStatus status,
        List<String> classes,
        int labeledImages,
        int trainSize,
        int validationSize,
        int holdoutSize,
        boolean fineTuned,
        Map<String, Integer> unusable,
        int backfilled,
        double accuracy,
        Optional<Double> currentAccuracy,
        int epochs,
        Duration backfillTime,
        Duration fitTime,
        Duration evaluateTime,
        Duration publishTime) {

    /** A refit that trained nothing, and why. */
    static RefitOutcome skipped(
            Instant started,
            String why,
            int labeledImages,
            Map<String, Integer> unusable,
            int backfilled,
            Duration backfillTime) {
        return new RefitOutcome(
                started,
                Optional.of(why),
                0,
                null,
                List.of(),
                labeledImages,
                0,
                0,
                0,
                false,
                Map.copyOf(unusable),
                backfilled,
                Double.NaN,
                Optional.empty(),
                0,
                backfillTime,
                Duration.ZERO,
                Duration.ZERO,
                Duration.ZERO);
    }

    /** When the version was announced: the refit's start plus its steps. */
    public Instant announced() {
        return started.plus(backfillTime).plus(fitTime).plus(evaluateTime).plus(publishTime);
    }

    /** Whether a candidate passed the gate and was announced for scorers. */
    public boolean published() {
        return skipped.isEmpty() && status != ModelStatus.REJECTED;
    }
}
