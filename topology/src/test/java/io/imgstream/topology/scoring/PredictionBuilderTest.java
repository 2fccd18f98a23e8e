package io.imgstream.topology.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LatencyBreakdown;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.schemas.avro.PredictionArm;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionBuilderTest {

    private static final ModelIdentity MODEL = new ModelIdentity("pets", 7, List.of("cat", "dog", "fish", "bird"));
    private static final ImageRef REF = ImageRef.newBuilder()
            .setId("img-9")
            .setUri("file:///x.png")
            .setEventTime(Instant.ofEpochMilli(1000))
            .build();
    private static final LatencyBreakdown LATENCY = new LatencyBreakdown(1.0, 2.0, 3.0);

    @Test
    void shouldListTopKMostProbableFirstWithAllProbabilities() {
        Prediction p = new PredictionBuilder(2)
                .build(
                        REF,
                        MODEL,
                        new float[] {0.1f, 0.6f, 0.05f, 0.25f},
                        "b-1",
                        4,
                        LATENCY,
                        Instant.ofEpochMilli(2000),
                        PredictionArm.CANARY);

        assertThat(p.getTopK()).extracting(ClassProbability::getLabel).containsExactly("dog", "bird");
        assertThat(p.getProbabilities())
                .containsEntry("cat", 0.1f)
                .containsEntry("fish", 0.05f)
                .hasSize(4);
        assertThat(p.getModelName()).isEqualTo("pets");
        assertThat(p.getModelVersion()).isEqualTo(7);
        assertThat(p.getArm()).isEqualTo(PredictionArm.CANARY);
        assertThat(p.getImageId()).isEqualTo("img-9");
        assertThat(p.getEventTime()).isEqualTo(Instant.ofEpochMilli(1000));
        assertThat(p.getBatchSize()).isEqualTo(4);
    }

    @Test
    void shouldBreakTiesByClassOrder() {
        Prediction p = new PredictionBuilder(4)
                .build(
                        REF,
                        MODEL,
                        new float[] {0.25f, 0.25f, 0.25f, 0.25f},
                        "b",
                        1,
                        LATENCY,
                        Instant.EPOCH,
                        PredictionArm.CURRENT);

        assertThat(p.getTopK()).extracting(ClassProbability::getLabel).containsExactly("cat", "dog", "fish", "bird");
    }

    @Test
    void shouldRefuseVectorOfWrongLength() {
        assertThatThrownBy(() -> new PredictionBuilder(1)
                        .build(REF, MODEL, new float[] {1f}, "b", 1, LATENCY, Instant.EPOCH, PredictionArm.CURRENT))
                .hasMessageContaining("returned 1 probabilities for 4 classes");
    }
}
