package io.imgstream.topology.swap;

import io.imgstream.model.inference.ImageScorer;
import java.util.Objects;

/**
 * A scorer ready to score on the hot path: built, sized and warmed up by {@link ScorerPreparer}.
 *
 * @param scorer    the scorer
 * @param batchSize most images per forward pass its model fits in the memory budget, at least 1
 */
public record PreparedScorer(ImageScorer scorer, int batchSize) {

    public PreparedScorer {
        Objects.requireNonNull(scorer, "scorer");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
    }
}
