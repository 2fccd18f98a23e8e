package io.imgstream.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelVersionLogTest {

    private static final Instant NOW = Instant.parse("2026-12-03T20:00:00Z");

    private final ModelVersionLog log = new ModelVersionLog("pets");

    @Test
    void shouldFollowTheCanaryThroughItsSharesUntilAnotherStatusEndsIt() {
        ModelVersion v2 = SampleVersions.promoted("pets", 2);
        fold(SampleVersions.promoted("pets", 1));

        assertThat(fold(CanaryRollout.start(v2, 10, NOW))).contains(ModelStatus.CANARY);
        assertThat(log.state().canary()).map(ModelVersion::getCanaryPercent).contains(10);
        fold(CanaryRollout.start(v2, 30, NOW));
        assertThat(log.state().canary()).map(ModelVersion::getCanaryPercent).contains(30);
        assertThat(log.state().current()).map(ModelVersion::getVersion).contains(1);

        assertThat(fold(CanaryRollout.stop(v2, NOW))).contains(ModelStatus.CANARY);
        assertThat(log.state().canary()).isEmpty();
        assertThat(log.state().current()).map(ModelVersion::getVersion).contains(1);
    }

    @Test
    void shouldEndTheCanaryWhenItsVersionIsPromoted() {
        ModelVersion v2 = SampleVersions.promoted("pets", 2);
        fold(SampleVersions.promoted("pets", 1));
        fold(CanaryRollout.start(v2, 50, NOW));

        assertThat(fold(v2)).containsExactly(ModelStatus.PROMOTED, ModelStatus.CANARY);

        assertThat(log.state().current()).map(ModelVersion::getVersion).contains(2);
        assertThat(log.state().canary()).isEmpty();
    }

    @Test
    void shouldIgnoreAnotherModelsCanary() {
        fold(CanaryRollout.start(SampleVersions.promoted("petshop", 2), 50, NOW));

        assertThat(log.state().canary()).isEmpty();
    }

    /** Folds every record {@link ControlTopic} writes for {@code version}, in its order; returns what changed. */
    private List<ModelStatus> fold(ModelVersion version) {
        return ControlTopic.keysOf(version).stream()
                .flatMap(key -> log.fold(key, version).stream())
                .toList();
    }
}
