package io.imgstream.model.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Learning curves: one entry per epoch in each list, in column form so they can be stored (a model bundle carries
 * them as JSON) and plotted as they are. See {@link EpochMetrics} for what each value means.
 *
 * <p>Immutable and thread-safe.
 *
 * <p>The constructor throws {@code IllegalArgumentException} if the lists differ in length.
 *
 * @param epoch              1-based epoch numbers
 * @param trainLoss          training loss per epoch
 * @param trainAccuracy      training accuracy per epoch
 * @param validationLoss     validation loss per epoch
 * @param validationAccuracy validation accuracy per epoch
 */
public record TrainingCurves(
        List<Integer> epoch,
        List<Double> trainLoss,
        List<Double> trainAccuracy,
        List<Double> validationLoss,
        List<Double> validationAccuracy) {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public TrainingCurves {
        epoch = List.copyOf(Objects.requireNonNull(epoch, "epoch"));
        trainLoss = List.copyOf(Objects.requireNonNull(trainLoss, "trainLoss"));
        trainAccuracy = List.copyOf(Objects.requireNonNull(trainAccuracy, "trainAccuracy"));
        validationLoss = List.copyOf(Objects.requireNonNull(validationLoss, "validationLoss"));
        validationAccuracy = List.copyOf(Objects.requireNonNull(validationAccuracy, "validationAccuracy"));
        int size = epoch.size();
        if (trainLoss.size() != size
                || trainAccuracy.size() != size
                || validationLoss.size() != size
                || validationAccuracy.size() != size) {
            throw new IllegalArgumentException("all curves need one value per epoch (" + size + "), got "
                    + trainLoss.size() + ", " + trainAccuracy.size() + ", " + validationLoss.size() + ", "
                    + validationAccuracy.size());
        }
    }

    /**
     * Returns curves with no epochs.
     *
     * @return empty curves
     */
    public static TrainingCurves empty() {
        return new TrainingCurves(List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /**
     * Returns these curves with one more epoch.
     *
     * @param metrics the epoch's results
     * @return new curves
     */
    public TrainingCurves plus(EpochMetrics metrics) {
        Objects.requireNonNull(metrics, "metrics");
        return new TrainingCurves(
                append(epoch, metrics.epoch()),
                append(trainLoss, metrics.trainLoss()),
                append(trainAccuracy, metrics.trainAccuracy()),
                append(validationLoss, metrics.validationLoss()),
                append(validationAccuracy, metrics.validationAccuracy()));
    }

    /**
     * Returns the number of epochs recorded.
     *
     * @return the epoch count
     */
    public int epochs() {
        return epoch.size();
    }

    /**
     * Returns the last epoch recorded: the epochs trained, where curves sample every few epochs (a linear head's
     * hundreds of full-batch steps) as where they record each.
     *
     * @return the last epoch, or 0 if none was recorded
     */
    public int lastEpoch() {
        return epoch.isEmpty() ? 0 : epoch.get(epoch.size() - 1);
    }

    /**
     * Serializes to indented JSON; equal curves give equal text.
     *
     * @return the JSON text
     */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("training curves could not be serialized", e);
        }
    }

    /**
     * Parses JSON written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException if the text is not curves JSON
     */
    public static TrainingCurves fromJson(String json) {
        Objects.requireNonNull(json, "json");
        try {
            TrainingCurves curves = JSON.readValue(json, TrainingCurves.class);
            if (curves == null) {
                throw new IllegalArgumentException("expected a JSON object, found nothing");
            }
            return curves;
        } catch (JsonProcessingException | NullPointerException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static <T> List<T> append(List<T> list, T value) {
        List<T> longer = new ArrayList<>(list);
        longer.add(value);
        return longer;
    }
}
