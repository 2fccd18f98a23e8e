package io.imgstream.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/**
 * A network saved by DL4J's {@link ModelSerializer} ({@code configuration.json} + {@code coefficients.bin}
 * in a zip): a {@link ComputationGraph}, or a {@code MultiLayerNetwork} converted to one. Updater state
 * is not loaded.
 *
 * <p>The weights sha256 is of the whole zip file, so the same file always gives the same id.
 * Immutable and thread-safe; every {@link #load()} reads the file again.
 */
public final class Dl4jZipSource implements WeightSource {

    private static final String CONFIGURATION_ENTRY = "configuration.json";
    /** Key that only a ComputationGraphConfiguration has; a MultiLayerConfiguration has "confs". */
    private static final String GRAPH_KEY = "vertices";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path zip;

    private Dl4jZipSource(Path zip) {
        this.zip = zip;
    }

    /** A model zip; nothing is read until {@link #load()}. */
    public static Dl4jZipSource of(Path zip) {
        return new Dl4jZipSource(Objects.requireNonNull(zip, "zip"));
    }

    @Override
    public String description() {
        return "dl4j-zip:" + zip;
    }

    /**
     * @throws WeightsNotFoundException if the file does not exist
     * @throws CorruptWeightsException  if it is not a DL4J model zip or cannot be restored
     */
    @Override
    public LoadedNetwork load() throws WeightLoadException {
        if (!Files.isRegularFile(zip)) {
            throw new WeightsNotFoundException("DL4J model zip " + zip + " does not exist");
        }
        try {
            boolean graph = isComputationGraph();
            ComputationGraph network = graph
                    ? ModelSerializer.restoreComputationGraph(zip.toFile(), false)
                    : ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false)
                            .toComputationGraph();
            return new LoadedNetwork(network, Digests.sha256Of(zip), description());
        } catch (IOException | RuntimeException e) {
            throw new CorruptWeightsException("DL4J model zip " + zip + " could not be restored: " + e.getMessage(), e);
        }
    }

    private boolean isComputationGraph() throws IOException, CorruptWeightsException {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            ZipEntry entry = file.getEntry(CONFIGURATION_ENTRY);
            if (entry == null) {
                throw new CorruptWeightsException(zip + " has no " + CONFIGURATION_ENTRY + ": not a DL4J model zip");
            }
            try (InputStream in = file.getInputStream(entry)) {
                JsonNode configuration = JSON.readTree(in);
                return configuration.has(GRAPH_KEY);
            }
        }
    }
}
