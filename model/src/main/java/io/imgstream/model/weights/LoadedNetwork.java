package io.imgstream.model.weights;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A network as a {@link WeightSource} loaded it. The graph is initialised and ready for inference; it
 * is not thread-safe (DL4J graphs hold per-call state), the record itself is immutable.
 *
 * @param graph         the loaded network, inputs and outputs as in the source model
 * @param weightsSha256 lowercase hex sha256 of the weight bytes read (see each source for which bytes)
 * @param source        {@link WeightSource#description()} of where it came from
 */
public record LoadedNetwork(ComputationGraph graph, String weightsSha256, String source) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public LoadedNetwork {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(source, "source");
        weightsSha256 = Objects.requireNonNull(weightsSha256, "weightsSha256").toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(weightsSha256).matches()) {
            throw new IllegalArgumentException("weightsSha256 must be 64 hex digits, was '" + weightsSha256 + "'");
        }
    }
}
