package io.imgstream.topology.scoring;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Classifies decoded images with one model version. The topology talks to scoring only through this
 * interface, so batching, model swap and a GPU backend change nothing above it.
 *
 * <p>Implementations need not be thread-safe: the topology calls one instance from one thread at a time.
 */
public interface ImageScorer extends AutoCloseable {

    /** The model that produces this scorer's probabilities. */
    ModelIdentity model();

    /**
     * Scores a batch in one forward pass.
     *
     * @param images decoded images, any size and colour model; preprocessing is the scorer's job
     * @return one probability vector per image, in input order, each in the order of {@link ModelIdentity#classes()}
     */
    List<float[]> score(List<BufferedImage> images);

    /** Releases the network's memory. */
    @Override
    void close();
}
