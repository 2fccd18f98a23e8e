package io.imgstream.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.LatencyBreakdown;
import io.imgstream.schemas.avro.Prediction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PredictionFormatTest {

    private static final Prediction PREDICTION = Prediction.newBuilder()
            .setImageId("img, \"1\"")
            .setImageUri("file:///a.png")
            .setModelName("pets")
            .setModelVersion(3)
            .setTopK(List.of(new ClassProbability("cat", 0.75f), new ClassProbability("dog", 0.25f)))
            .setProbabilities(Map.of("cat", 0.75f, "dog", 0.25f))
            .setEventTime(Instant.parse("2026-12-01T10:00:00Z"))
            .setScoredTime(Instant.parse("2026-12-01T10:00:01Z"))
            .setBatchId("b-1")
            .setBatchSize(4)
            .setLatency(LatencyBreakdown.newBuilder()
                    .setFetchMs(1)
                    .setQueueMs(2)
                    .setInferenceMs(3)
                    .build())
            .build();

    @Test
    void shouldWriteOneJsonObjectALine() throws Exception {
        String line = PredictionFormat.JSONL.line(PREDICTION, "predictions", 2, 41);

        assertThat(line).endsWith("\n").doesNotContain("\n\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("imageId").asText()).isEqualTo("img, \"1\"");
        assertThat(json.get("label").asText()).isEqualTo("cat");
        assertThat(json.get("version").asInt()).isEqualTo(3);
        assertThat(json.get("topK")).hasSize(2);
        assertThat(json.get("offset").asLong()).isEqualTo(41);
    }

    @Test
    void shouldQuoteCsvFieldsThatNeedIt() {
        assertThat(PredictionFormat.CSV.header()).startsWith("image_id,image_uri,model,version,label,probability");
        assertThat(PredictionFormat.CSV.line(PREDICTION, "predictions", 2, 41))
                .startsWith("\"img, \"\"1\"\"\",file:///a.png,pets,3,cat,0.75,2026-12-01T10:00:00Z,")
                .endsWith(",predictions,2,41\n");
    }
}
