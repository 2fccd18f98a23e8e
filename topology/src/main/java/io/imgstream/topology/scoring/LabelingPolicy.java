package io.imgstream.topology.scoring;

import io.imgstream.schemas.avro.LabelRequest;
import io.imgstream.schemas.avro.Prediction;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Active learning: decides which predictions to offer people for labeling. A prediction is asked about when its
 * top probability is below {@code minConfidence}, or when the two most probable classes are within
 * {@code minMargin} of each other (the model can't tell them apart), or when the caller has another reason to ask
 * (the model is drifting, so even its confident answers need checking).
 *
 * <p>Stateless and thread-safe.
 *
 * @param minConfidence top probability below which a label is requested; 0 disables the check
 * @param minMargin     top-two difference below which a label is requested; 0 disables the check
 */
public record LabelingPolicy(double minConfidence, double minMargin) {

    public LabelingPolicy {
        if (minConfidence < 0 || minConfidence > 1 || minMargin < 0 || minMargin > 1) {
            throw new IllegalArgumentException(
                    "thresholds must be in [0, 1], got confidence " + minConfidence + " and margin " + minMargin);
        }
    }

    /**
     * The label request for {@code prediction}, if it is uncertain enough to ask or {@code otherReason} says to.
     *
     * @param now         the request time
     * @param otherReason why to ask about a prediction that is not uncertain, if there is a reason
     */
    public Optional<LabelRequest> requestFor(Prediction prediction, Instant now, Optional<String> otherReason) {
        return reason(prediction)
                .or(() -> otherReason)
                .map(reason -> LabelRequest.newBuilder()
                        .setImageId(prediction.getImageId())
                        .setUri(prediction.getImageUri())
                        .setModelName(prediction.getModelName())
                        .setModelVersion(prediction.getModelVersion())
                        .setTopK(prediction.getTopK())
                        .setReason(reason)
                        .setRequestedTime(now)
                        .build());
    }

    private Optional<String> reason(Prediction prediction) {
        float first = -1;
        float second = -1;
        String firstLabel = null;
        String secondLabel = null;
        for (Map.Entry<String, Float> entry : prediction.getProbabilities().entrySet()) {
            float p = entry.getValue();
            if (p > first) {
                second = first;
                secondLabel = firstLabel;
                first = p;
                firstLabel = entry.getKey();
            } else if (p > second) {
                second = p;
                secondLabel = entry.getKey();
            }
        }
        if (firstLabel == null) {
            return Optional.empty();
        }
        if (first < minConfidence) {
            return Optional.of(String.format(Locale.ROOT, "confidence %.2f < %.2f", first, minConfidence));
        }
        if (secondLabel != null && first - second < minMargin) {
            return Optional.of(String.format(
                    Locale.ROOT,
                    "margin %.2f between '%s' and '%s' < %.2f",
                    first - second,
                    firstLabel,
                    secondLabel,
                    minMargin));
        }
        return Optional.empty();
    }
}
