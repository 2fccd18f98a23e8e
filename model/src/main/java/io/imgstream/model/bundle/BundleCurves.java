package io.imgstream.model.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Objects;

/**
 * The training curves a bundle carries as {@value ModelBundle#CURVES_ENTRY}: per-epoch train and
 * validation loss and accuracy, in column form. The bundle package keeps its own copy of this shape
 * because it must not depend on the training package; callers that train convert their
 * curves with the canonical constructor.
 *
 * <p>Immutable and thread-safe. The constructor throws {@code IllegalArgumentException} if the
 * lists differ in length.
 *
 * @param epoch              1-based epoch numbers
 * @param trainLoss          training loss per epoch
 * @param trainAccuracy      training accuracy per epoch, in [0, 1]
 * @param validationLoss     validation loss per epoch
 * @param validationAccuracy validation accuracy per epoch, in [0, 1]
 */
public record BundleCurves(List<Integer> epoch, List<Double> trainLoss, List<Double> trainAccuracy,
        List<Double> validationLoss, List<Double> validationAccuracy) {

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public BundleCurves {
        epoch = List.copyOf(Objects.requireNonNull(epoch, "epoch"));
        trainLoss = List.copyOf(Objects.requireNonNull(trainLoss, "trainLoss"));
        trainAccuracy = List.copyOf(Objects.requireNonNull(trainAccuracy, "trainAccuracy"));
        validationLoss = List.copyOf(Objects.requireNonNull(validationLoss, "validationLoss"));
        validationAccuracy = List.copyOf(Objects.requireNonNull(validationAccuracy, "validationAccuracy"));
        int size = epoch.size();
        if (trainLoss.size() != size || trainAccuracy.size() != size || validationLoss.size() != size
                || validationAccuracy.size() != size) {
            throw new IllegalArgumentException("all curves need one value per epoch (" + size + "), got "
                    + trainLoss.size() + ", " + trainAccuracy.size() + ", " + validationLoss.size() + ", "
                    + validationAccuracy.size());
        }
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
     * @param json the JSON text
     * @return the curves
     * @throws BundleFormatException if the text is not valid curves JSON
     */
    public static BundleCurves fromJson(String json) {
        Objects.requireNonNull(json, "json");
        try {
            BundleCurves curves = JSON.readValue(json, BundleCurves.class);
            if (curves == null) {
                throw new BundleFormatException("'" + ModelBundle.CURVES_ENTRY + "' is empty; expected a JSON object");
            }
            return curves;
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new BundleFormatException("'" + ModelBundle.CURVES_ENTRY + "' is invalid: " + e.getMessage(), e);
        }
    }
}
