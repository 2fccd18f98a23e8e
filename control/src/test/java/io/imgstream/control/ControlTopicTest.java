package io.imgstream.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.LatestRecords;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.time.Instant;
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
    void shouldEndAnyCanaryWithAPromotionAfterThePromotedVersionIsCurrent() {
        ModelVersion v3 = version("pets", 3);

        assertThat(ControlTopic.keysOf(v3))
                .as("the scorer takes v3 as primary while it is still the canary, then the canary ends")
                .containsExactly(
                        ModelVersionKeys.history("pets", 3),
                        ModelVersionKeys.current("pets"),
                        ModelVersionKeys.canary("pets"));
        assertThat(ControlTopic.keysOf(CanaryRollout.start(v3, 20, Instant.now())))
                .containsExactly(ModelVersionKeys.history("pets", 3), ModelVersionKeys.canary("pets"));
        assertThat(ControlTopic.keysOf(CanaryRollout.stop(v3, Instant.now())))
                .containsExactly(ModelVersionKeys.history("pets", 3), ModelVersionKeys.canary("pets"));
        assertThat(ControlTopic.keysOf(ModelVersion.newBuilder(v3)
                        .setStatus(ModelStatus.REJECTED)
                        .build()))
                .as("the training worker's gate rejecting a candidate must not end a running canary")
                .containsExactly(ModelVersionKeys.history("pets", 3));
    }

    @Test
    void shouldTellTheRunningCanaryOnlyWhileItsKeyHoldsACanaryRecord() {
        ModelVersion canary = CanaryRollout.start(version("pets", 3), 20, Instant.now());

        assertThat(ControlTopic.canary(Map.of(ModelVersionKeys.canary("pets"), canary), "pets"))
                .map(ModelVersion::getCanaryPercent)
                .contains(20);
        assertThat(ControlTopic.canary(Map.of(ModelVersionKeys.canary("pets"), version("pets", 3)), "pets"))
                .as("ended by a promotion")
                .isEmpty();
    }

    @Test
    void shouldRefuseACanaryShareOutsideOneTo99Percent() {
        assertThatThrownBy(() -> CanaryRollout.start(version("pets", 3), 100, Instant.now()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 99 percent, got 100");
        assertThatThrownBy(() -> CanaryRollout.start(version("pets", 3), 0, Instant.now()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ModelVersion version(String model, int version) {
        return SampleVersions.promoted(model, version);
    }
}
