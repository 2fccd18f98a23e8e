package io.imgstream.clients.tail;

import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.Prediction;
import java.util.Locale;
import java.util.stream.Collectors;

/** One readable line per record: predictions and dead letters get their own layout, anything else its Avro JSON. */
public final class RecordLines {

    private RecordLines() {}

    /** The line for {@code value}. */
    public static String format(Object value) {
        if (value instanceof Prediction p) {
            return prediction(p);
        }
        if (value instanceof DeadLetter d) {
            return String.format(
                    Locale.ROOT, "%s  %s/%s  %s", d.getImageId(), d.getStage(), d.getReason(), d.getMessage());
        }
        return String.valueOf(value);
    }

    private static String prediction(Prediction p) {
        ClassProbability top = p.getTopK().get(0);
        String others = p.getTopK().stream()
                .skip(1)
                .map(c -> String.format(Locale.ROOT, "%s %.3f", c.getLabel(), c.getProbability()))
                .collect(Collectors.joining(", "));
        return String.format(
                Locale.ROOT,
                "%s  %-12s %.3f  %s v%d  batch=%s  fetch=%.1fms infer=%.1fms%s",
                p.getImageId(),
                top.getLabel(),
                top.getProbability(),
                p.getModelName(),
                p.getModelVersion(),
                p.getBatchId(),
                p.getLatency().getFetchMs(),
                p.getLatency().getInferenceMs(),
                others.isEmpty() ? "" : "  (then " + others + ")");
    }
}
