package io.imgstream.model.bases;

/** The file formats {@code imgstream bases import} reads, each kept in the store as it came. */
public enum BaseFormat {
    /** Keras {@code model.save_weights()} HDF5 (the Keras applications' downloads): needs a built-in architecture. */
    KERAS_WEIGHTS,
    /** Keras {@code model.save()} HDF5: architecture and weights. */
    KERAS_MODEL,
    /** A TF.js layers model: a directory with {@code model.json} and its weight shards. */
    TFJS,
    /** An nsfwjs npm tarball; {@link StoredBase#member()} names the model inside it. */
    NSFWJS,
    /** A DL4J model zip ({@code ModelSerializer}). */
    DL4J_ZIP
}
