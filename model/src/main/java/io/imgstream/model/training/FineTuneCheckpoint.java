package io.imgstream.model.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.model.evaluation.TrainingCurves;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A fine-tuning run's state after a completed epoch, kept in a directory so that a killed run continues from there:
 * the network with its updater state (momentum) as {@value #NETWORK_FILE}, the epoch and curves as
 * {@value #STATE_FILE}. Each file is written under a temporary name and renamed, the state last, so a kill at any
 * point leaves the previous epoch's checkpoint or this one, never a mix.
 *
 * @param epoch  last completed epoch, 1-based
 * @param curves the curves up to it
 */
public record FineTuneCheckpoint(int epoch, TrainingCurves curves) {

    /** Name of the state file. */
    public static final String STATE_FILE = "fine-tune-state.json";
    /** Name of the network file. */
    public static final String NETWORK_FILE = "fine-tune-network.zip";

    private static final ObjectMapper JSON = new ObjectMapper();

    public FineTuneCheckpoint {
        Objects.requireNonNull(curves, "curves");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be 1 or later, was " + epoch);
        }
    }

    /** Whether {@code directory} holds a checkpoint. */
    public static boolean existsIn(Path directory) {
        return Files.isRegularFile(directory.resolve(STATE_FILE));
    }

    /**
     * Writes a checkpoint, replacing the directory's earlier one.
     *
     * @param directory where; created if missing
     * @param network   the network after {@code epoch}
     */
    void write(Path directory, ComputationGraph network) throws IOException {
        Files.createDirectories(directory);
        Path networkTemporary = directory.resolve(NETWORK_FILE + ".tmp");
        ModelSerializer.writeModel(network, networkTemporary.toFile(), true);
        Path stateTemporary = directory.resolve(STATE_FILE + ".tmp");
        JSON.writeValue(stateTemporary.toFile(), this);
        // The state names no file: a kill between the two moves leaves the new network beside the old state, so
        // the state is removed first and a half-moved checkpoint reads as none.
        Files.deleteIfExists(directory.resolve(STATE_FILE));
        move(networkTemporary, directory.resolve(NETWORK_FILE));
        move(stateTemporary, directory.resolve(STATE_FILE));
    }

    /**
     * Reads the checkpoint in {@code directory}.
     *
     * @return its state and network, or empty if there is none
     * @throws IOException if it is there but unreadable
     */
    static Optional<Restored> read(Path directory) throws IOException {
        if (!existsIn(directory)) {
            return Optional.empty();
        }
        FineTuneCheckpoint state = JSON.readValue(directory.resolve(STATE_FILE).toFile(), FineTuneCheckpoint.class);
        ComputationGraph network = ModelSerializer.restoreComputationGraph(
                directory.resolve(NETWORK_FILE).toFile(), true);
        return Optional.of(new Restored(state, network));
    }

    /** Deletes the checkpoint in {@code directory}, if any. */
    static void clear(Path directory) throws IOException {
        Files.deleteIfExists(directory.resolve(STATE_FILE));
        Files.deleteIfExists(directory.resolve(NETWORK_FILE));
    }

    private static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A checkpoint read back: its state and its network, updater state included. */
    record Restored(FineTuneCheckpoint state, ComputationGraph network) {}
}
