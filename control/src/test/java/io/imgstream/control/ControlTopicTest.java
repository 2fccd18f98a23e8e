package io.imgstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.LatestRecords;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlTopicTest {

    @Test
    void shouldRefuseToTellTheVersionsOfAModelWhoseRecordCantBeRead() {
        LatestRecords<ModelVersion> garbledCurrent = new LatestRecords<>(
                Map.of(ModelVersionKeys.history("pets", 1), version("pets", 1)),
                Map.of(ModelVersionKeys.current("pets"), "model-versions-0@7: not a record in the registry's format"));

        assertThatThrownBy(() -> ControlTopic.readableFor(garbledCurrent, "pets"))
                .isInstanceOf(UnreadableVersionsException.class)
                .hasMessageContaining("model-versions-0@7")
                .hasMessageContaining("imgstream models promote pets:<version>");
        assertThatThrownBy(() -> ControlTopic.readableFor(
                        new LatestRecords<>(Map.of(), Map.of(ModelVersionKeys.history("pets", 2), "garbled")), "pets"))
                .as("an unreadable history record hides a version number in use")
                .isInstanceOf(UnreadableVersionsException.class);
    }

    @Test
    void shouldIgnoreUnreadableRecordsOfOtherModels() {
        LatestRecords<ModelVersion> others = new LatestRecords<>(
                Map.of(ModelVersionKeys.current("pets"), version("pets", 1)),
                Map.of("pets-v2", "garbled", ModelVersionKeys.shadow("petshop"), "garbled"));

        assertThat(ControlTopic.current(ControlTopic.readableFor(others, "pets"), "pets"))
                .map(ModelVersion::getVersion)
                .contains(1);
    }

    @Test
    void shouldTellTheCanaryOnlyWhileItsKeyHoldsACanaryRecord() {
        ModelVersion canary = ModelVersion.newBuilder(version("pets", 2))
                .setStatus(ModelStatus.CANARY)
                .setCanaryPercent(10)
                .build();
        ModelVersion ended = ModelVersion.newBuilder(canary)
                .setStatus(ModelStatus.ROLLED_BACK)
                .build();

        assertThat(ControlTopic.canary(Map.of(ModelVersionKeys.canary("pets"), canary), "pets"))
                .contains(canary);
        assertThat(ControlTopic.canary(Map.of(ModelVersionKeys.canary("pets"), ended), "pets"))
                .isEmpty();
        assertThat(ControlTopic.canary(Map.of(ModelVersionKeys.history("pets", 2), canary), "pets"))
                .as("a history record is no canary")
                .isEmpty();
    }

    private static ModelVersion version(String model, int version) {
        return SampleVersions.promoted(model, version);
    }
}
