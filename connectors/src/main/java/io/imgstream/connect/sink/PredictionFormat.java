package io.imgstream.connect.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.Prediction;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How a prediction becomes a line of a sink file. */
public enum PredictionFormat {
    /** One JSON object a line: the prediction's fields, top-k included, and where it was read from. */
    JSONL("jsonl"),
    /** A header line, then one line a prediction: the top class and its probability. */
    CSV("csv");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CsvMapper CSV_MAPPER = new CsvMapper();
    private static final List<String> CSV_COLUMNS = List.of(
            "image_id",
            "image_uri",
            "model",
            "version",
            "label",
            "probability",
            "event_time",
            "scored_time",
            "batch_id",
            "topic",
            "partition",
            "offset");
    private static final CsvSchema ROW = CsvSchema.emptySchema();

    private final String extension;

    PredictionFormat(String extension) {
        this.extension = extension;
    }

    /** The file extension. */
    public String extension() {
        return extension;
    }

    /** The first line of every file, or null. */
    public String header() {
        return this == CSV ? String.join(",", CSV_COLUMNS) + "\n" : null;
    }

    /** One line, newline included. */
    public String line(Prediction prediction, String topic, int partition, long offset) {
        List<ClassProbability> topK = prediction.getTopK();
        String label = topK.isEmpty() ? "" : topK.get(0).getLabel().toString();
        float probability = topK.isEmpty() ? Float.NaN : topK.get(0).getProbability();
        try {
            if (this == CSV) {
                return CSV_MAPPER.writer(ROW).writeValueAsString(new String[] {
                    prediction.getImageId().toString(),
                    prediction.getImageUri().toString(),
                    prediction.getModelName().toString(),
                    String.valueOf(prediction.getModelVersion()),
                    label,
                    String.valueOf(probability),
                    prediction.getEventTime().toString(),
                    prediction.getScoredTime().toString(),
                    prediction.getBatchId().toString(),
                    topic,
                    String.valueOf(partition),
                    String.valueOf(offset)
                });
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("imageId", prediction.getImageId().toString());
            fields.put("imageUri", prediction.getImageUri().toString());
            fields.put("model", prediction.getModelName().toString());
            fields.put("version", prediction.getModelVersion());
            fields.put("label", label);
            fields.put("probability", probability);
            fields.put(
                    "topK",
                    topK.stream()
                            .map(c -> Map.of("label", c.getLabel().toString(), "probability", c.getProbability()))
                            .toList());
            fields.put("eventTime", prediction.getEventTime().toString());
            fields.put("scoredTime", prediction.getScoredTime().toString());
            fields.put("batchId", prediction.getBatchId().toString());
            fields.put("topic", topic);
            fields.put("partition", partition);
            fields.put("offset", offset);
            return JSON.writeValueAsString(fields) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
