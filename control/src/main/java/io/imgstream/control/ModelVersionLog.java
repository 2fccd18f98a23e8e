package io.imgstream.control;

import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the control topic says about one model, folded record by record in topic order: the PROMOTED records under
 * the model's key (the last is current) and the SHADOW record under its shadow key (keys as
 * {@link ModelVersionKeys}). Records of other models and history records change nothing.
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
     */
    public record State(List<ModelVersion> promoted, Optional<ModelVersion> shadow) {

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

    /** @param modelName the model whose records count */
    public ModelVersionLog(String modelName) {
        this.modelName = Objects.requireNonNull(modelName, "modelName");
    }

    /**
     * Folds one record.
     *
     * @param key     the record's key
     * @param version the record's value
     * @return which slot the record changes: PROMOTED (a new current version) or SHADOW (a new shadow version, or
     *         none any more); empty if it changes neither
     */
    public Optional<ModelStatus> fold(String key, ModelVersion version) {
        if (!modelName.equals(version.getModelName().toString())) {
            return Optional.empty();
        }
        if (ModelVersionKeys.shadow(modelName).equals(key)) {
            shadow = version.getStatus() == ModelStatus.SHADOW ? version : null;
            return Optional.of(ModelStatus.SHADOW);
        }
        if (ModelVersionKeys.current(modelName).equals(key) && version.getStatus() == ModelStatus.PROMOTED) {
            promoted.add(version);
            return Optional.of(ModelStatus.PROMOTED);
        }
        return Optional.empty();
    }

    /** The state as of the last record folded. */
    public State state() {
        return new State(promoted, Optional.ofNullable(shadow));
    }
}
