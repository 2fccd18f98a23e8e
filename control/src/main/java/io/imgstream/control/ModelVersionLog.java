package io.imgstream.control;

import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the control topic says about one model, folded record by record in topic order: the PROMOTED records under
 * the model's key (the last is current), the SHADOW record under its shadow key and the CANARY record under its
 * canary key (keys as {@link ModelVersionKeys}); any other status under the shadow or canary key ends shadow scoring
 * or the canary. Records of other models and history records change nothing.
 *
 * <p>This is the reading side of the protocol {@link ControlTopic} writes: every scorer folds the topic this way.
 * Not thread-safe: one reader thread folds.
 */
public final class ModelVersionLog {

    /**
     * What the control topic says, as of the last record folded.
     *
     * @param promoted the PROMOTED versions read, oldest first: the last is current, the earlier ones are where to
     *                 fall back when it is refused (compaction may have removed some)
     * @param shadow   the version to shadow-score, if any
     * @param canary   the version that scores its share of the images instead of the current one, if any; its
     *                 share is its {@code canaryPercent}
     */
    public record State(List<ModelVersion> promoted, Optional<ModelVersion> shadow, Optional<ModelVersion> canary) {

        public State {
            promoted = List.copyOf(promoted);
        }

        /** The current version, if any was promoted. */
        public Optional<ModelVersion> current() {
            return promoted.isEmpty() ? Optional.empty() : Optional.of(promoted.get(promoted.size() - 1));
        }
    }

    private final String modelName;
    private final List<ModelVersion> promoted = new ArrayList<>();
    private ModelVersion shadow;
    private ModelVersion canary;

    /** @param modelName the model whose records count */
    public ModelVersionLog(String modelName) {
        this.modelName = Objects.requireNonNull(modelName, "modelName");
    }

    /**
     * Folds one record.
     *
     * @param key     the record's key
     * @param version the record's value
     * @return which slot the record changes: PROMOTED (a new current version), SHADOW (a new shadow version, or
     *         none any more) or CANARY (a new canary version, a new share, or no canary any more); empty if it
     *         changes none
     */
    public Optional<ModelStatus> fold(String key, ModelVersion version) {
        if (!modelName.equals(version.getModelName().toString())) {
            return Optional.empty();
        }
        if (ModelVersionKeys.shadow(modelName).equals(key)) {
            shadow = version.getStatus() == ModelStatus.SHADOW ? version : null;
            return Optional.of(ModelStatus.SHADOW);
        }
        if (ModelVersionKeys.canary(modelName).equals(key)) {
            canary = version.getStatus() == ModelStatus.CANARY ? version : null;
            return Optional.of(ModelStatus.CANARY);
        }
        if (ModelVersionKeys.current(modelName).equals(key) && version.getStatus() == ModelStatus.PROMOTED) {
            promoted.add(version);
            return Optional.of(ModelStatus.PROMOTED);
        }
        return Optional.empty();
    }

    /** The state as of the last record folded. */
    public State state() {
        return new State(promoted, Optional.ofNullable(shadow), Optional.ofNullable(canary));
    }
}
