package io.imgstream.control;

import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.RolloutAction;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * The rollback policy of the control topic: which version to go back to, and the two announcements that do it
 * (the replaced version recorded as ROLLED_BACK, then the target as PROMOTED).
 */
public final class Rollback {

    /**
     * The announcements of one rollback, in the order they must be written.
     *
     * @param replaced the current version, now ROLLED_BACK
     * @param promoted the version going back into service, PROMOTED
     */
    public record Plan(ModelVersion replaced, ModelVersion promoted) {

        /** Writes both announcements, the replaced version first. */
        public void announceWith(VersionAnnouncer announcer) {
            announcer.announce(replaced);
            announcer.announce(promoted);
        }
    }

    private Rollback() {}

    /**
     * The newest stored version below {@code current} that scorers once ran: never a rejected or shadow-only
     * candidate.
     *
     * @param stored  the model store's bundles, of any model
     * @param records the control topic's latest record per key ({@link ControlTopic#latestByKey()})
     */
    public static Optional<StoredBundle> previousLive(
            Collection<StoredBundle> stored, Map<String, ModelVersion> records, String model, int current) {
        return stored.stream()
                .filter(b -> b.modelName().equals(model) && b.version() < current)
                .filter(b -> wasLive(records.get(ModelVersionKeys.history(model, b.version()))))
                .max(Comparator.comparingInt(StoredBundle::version));
    }

    /**
     * Plans going back from {@code current} to {@code target}. The target's own history record is reused when it
     * names the same bundle, because it keeps the version's holdout evaluation (per-class scores, confusion
     * matrix) where the manifest has only accuracy.
     */
    public static Plan plan(Map<String, ModelVersion> records, ModelVersion current, StoredBundle target, Instant now) {
        // A rollout decision belongs to the record it was announced in; copied into these, it would also put them
        // under the canary key and end a canary in progress.
        ModelVersion replaced = ModelVersion.newBuilder(current)
                .setStatus(ModelStatus.ROLLED_BACK)
                .setCreatedTime(now)
                .setCanaryPercent(null)
                .setRolloutDecision(null)
                .build();
        ModelVersion recorded = records.get(ModelVersionKeys.history(target.modelName(), target.version()));
        ModelVersion promoted =
                recorded != null && recorded.getBundleSha256().toString().equals(target.sha256())
                        ? ModelVersion.newBuilder(recorded)
                                .setStatus(ModelStatus.PROMOTED)
                                .setCreatedTime(now)
                                .setCanaryPercent(null)
                                .setRolloutDecision(null)
                                .build()
                        : ModelAnnouncements.of(
                                target, BundleFile.readManifest(Path.of(target.uri())), ModelStatus.PROMOTED, now);
        return new Plan(replaced, promoted);
    }

    /**
     * Versions without a record were stored by hand (or before the control topic kept history): trust them. A canary
     * that a rollout policy rolled back was never current.
     */
    private static boolean wasLive(ModelVersion record) {
        if (record == null || record.getStatus() == ModelStatus.PROMOTED) {
            return true;
        }
        return record.getStatus() == ModelStatus.ROLLED_BACK
                && (record.getRolloutDecision() == null
                        || record.getRolloutDecision().getAction() != RolloutAction.ROLL_BACK);
    }
}
