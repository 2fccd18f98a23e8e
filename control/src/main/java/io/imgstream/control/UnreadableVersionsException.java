package io.imgstream.control;

import java.util.Map;

/**
 * The control topic's latest record of a key of a model can't be read (its bytes are not a registry record, or the
 * record is not a {@code ModelVersion}), so what the model's current version is, or which version numbers are taken,
 * can't be known. Whoever acts on the model (the training worker's gate) must wait rather than act as if the record
 * were not there.
 */
public final class UnreadableVersionsException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * @param model      the model
     * @param unreadable the model's keys whose latest record can't be read, with where it is and why
     */
    public UnreadableVersionsException(String model, Map<String, String> unreadable) {
        super("the control topic's latest record of " + unreadable.keySet() + " can't be read (" + unreadable
                + "), so what " + model + "'s versions are can't be known; nothing is promoted until a readable "
                + "record replaces it: announce the current version again ('imgstream models promote " + model
                + ":<version>') and, for a history key, that version");
    }
}
