package io.imgstream.model.inference;

import java.util.List;

/**
 * The model a scorer runs: what every prediction it makes is attributed to.
 *
 * @param name    model name
 * @param version model version, monotonic per name
 * @param classes class labels, in the order of the network's outputs
 */
public record ModelIdentity(String name, int version, List<String> classes) {

    public ModelIdentity {
        classes = List.copyOf(classes);
    }
}
