package io.imgstream.training.refit;

import io.imgstream.model.head.HeadTrainer;
import io.imgstream.training.labels.LabeledExample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The checkpoints of the refit in progress, one directory per model under the worker's {@code state.dir}, so that a
 * worker killed mid-refit resumes it from its last epoch instead of starting over: the head's, and the fine-tuning's
 * in {@value #FINE_TUNING} below it when the refit fine-tunes.
 *
 * <p>A checkpoint is resumed only by the very same refit: the directory records a fingerprint of everything the
 * training depends on (version, classes, the warm start's source, the train and validation images in order, the
 * head and training settings). A refit on other inputs (more labels arrived while the worker was down) starts afresh
 * and replaces it. A finished refit removes its checkpoint.
 *
 * <p>Not thread-safe; one refit runs at a time.
 */
final class RefitCheckpoints {

    private static final String FINGERPRINT_FILE = "refit.fingerprint";
    private static final String FINE_TUNING = "fine-tune";

    private final Path directory;

    /** @param directory where this model's refit checkpoints; created when first needed */
    RefitCheckpoints(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** The directory the head checkpoints into. */
    Path directory() {
        return directory;
    }

    /** The directory the fine-tuning checkpoints into; cleared with the head's. */
    Path fineTuning() {
        return directory.resolve(FINE_TUNING);
    }

    /**
     * Makes the directory ready for a refit with this fingerprint.
     *
     * @return true if it holds a checkpoint of the same refit to resume; false if the refit starts afresh (any other
     *     refit's checkpoint has then been deleted)
     */
    boolean prepare(String fingerprint) throws IOException {
        Path recorded = directory.resolve(FINGERPRINT_FILE);
        if (Files.isRegularFile(recorded)
                && Files.readString(recorded, StandardCharsets.UTF_8).equals(fingerprint)
                && Files.isRegularFile(directory.resolve(HeadTrainer.STATE_FILE))) {
            return true;
        }
        clear();
        Files.createDirectories(directory);
        Files.writeString(recorded, fingerprint, StandardCharsets.UTF_8);
        return false;
    }

    /** Deletes the checkpoint, if any. */
    void clear() throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /**
     * What a refit's training depends on, as a digest: the same digest means the same training run.
     *
     * @param settings   the version, classes, warm start source and head and training settings, as text
     * @param train      the training examples, in training order
     * @param validation the validation examples, in order
     */
    static String fingerprint(String settings, List<LabeledExample> train, List<LabeledExample> validation) {
        MessageDigest digest = sha256();
        digest.update(settings.getBytes(StandardCharsets.UTF_8));
        for (List<LabeledExample> side : List.of(train, validation)) {
            digest.update((byte) 0);
            for (LabeledExample example : side) {
                digest.update((example.imageId() + '\t' + example.label() + '\n').getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
