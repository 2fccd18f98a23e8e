package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.control.CanaryRollout;
import io.imgstream.control.ControlTopic;
import io.imgstream.schemas.avro.ModelMetrics;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlStatusOptionsTest {

    private final Map<String, ModelVersion> records = new HashMap<>();

    @Test
    void shouldTellTheCurrentVersionTheCanaryWithItsShareAndTheHistory() {
        announce(version(1, ModelStatus.PROMOTED));
        announce(version(2, ModelStatus.PROMOTED));
        announce(version(3, ModelStatus.REJECTED));
        announce(CanaryRollout.start(version(4, ModelStatus.CANDIDATE), 30, Instant.now()));

        assertThat(List.of(1, 2, 3, 4, 5))
                .extracting(v -> ControlStatusOptions.of(records, "pets", v))
                .containsExactly("promoted before", "current", "rejected", "canary 30%", ControlStatusOptions.NONE);
    }

    @Test
    void shouldNoLongerCallAPromotedCanaryACanary() {
        announce(version(1, ModelStatus.PROMOTED));
        announce(CanaryRollout.start(version(2, ModelStatus.CANDIDATE), 30, Instant.now()));
        announce(version(2, ModelStatus.PROMOTED));

        assertThat(ControlStatusOptions.of(records, "pets", 2)).isEqualTo("current");
    }

    /** What {@link ControlTopic#announce} leaves as the latest record of each key. */
    private void announce(ModelVersion version) {
        ControlTopic.keysOf(version).forEach(key -> records.put(key, version));
    }

    private static ModelVersion version(int version, ModelStatus status) {
        return ModelVersion.newBuilder()
                .setModelName("pets")
                .setVersion(version)
                .setBaseModelId("small")
                .setBundleUri("file:///models/pets/v" + version + "/bundle.zip")
                .setBundleSha256("0".repeat(64))
                .setClasses(List.of("cat", "dog"))
                .setInputHeight(8)
                .setInputWidth(8)
                .setInputChannels(1)
                .setPreprocessing("UNIT")
                .setResizePolicy("SQUASH")
                .setMetrics(ModelMetrics.newBuilder().build())
                .setCreatedTime(Instant.now())
                .setStatus(status)
                .build();
    }
}
