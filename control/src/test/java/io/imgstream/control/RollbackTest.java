package io.imgstream.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.RolloutAction;
import io.imgstream.schemas.avro.RolloutDecision;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollbackTest {

    @Test
    void shouldNotGoBackToACanaryThePolicyRolledBack() {
        ModelVersion rolledBackCanary =
                decided(SampleVersions.promoted("pets", 2), ModelStatus.ROLLED_BACK, RolloutAction.ROLL_BACK);
        ModelVersion replacedAfterPromotion =
                decided(SampleVersions.promoted("pets", 1), ModelStatus.ROLLED_BACK, RolloutAction.PROMOTE);
        Map<String, ModelVersion> records = Map.of(
                ModelVersionKeys.history("pets", 1), replacedAfterPromotion,
                ModelVersionKeys.history("pets", 2), rolledBackCanary);

        assertThat(Rollback.previousLive(List.of(stored(1), stored(2)), records, "pets", 3))
                .map(StoredBundle::version)
                .as("v2 only ever served a canary's share, and lost")
                .contains(1);
    }

    @Test
    void shouldNotCarryARolloutDecisionIntoTheRollbackRecords() {
        ModelVersion promotedByPolicy =
                decided(SampleVersions.promoted("pets", 2), ModelStatus.PROMOTED, RolloutAction.PROMOTE);
        ModelVersion earlier = decided(SampleVersions.promoted("pets", 1), ModelStatus.PROMOTED, RolloutAction.PROMOTE);

        Rollback.Plan plan = Rollback.plan(
                Map.of(ModelVersionKeys.history("pets", 1), earlier), promotedByPolicy, stored(1), Instant.now());

        assertThat(plan.replaced().getRolloutDecision()).isNull();
        assertThat(plan.promoted().getRolloutDecision()).isNull();
        assertThat(plan.promoted().getVersion()).isEqualTo(1);
    }

    private static ModelVersion decided(ModelVersion version, ModelStatus status, RolloutAction action) {
        return ModelVersion.newBuilder(version)
                .setStatus(status)
                .setRolloutDecision(RolloutDecision.newBuilder()
                        .setAction(action)
                        .setReason("a test")
                        .setStep(1)
                        .build())
                .build();
    }

    private static StoredBundle stored(int version) {
        return new StoredBundle(
                "pets", version, URI.create("file:///models/pets/v" + version + "/bundle.zip"), "0".repeat(64), 1);
    }
}
