package io.imgstream.model.inference;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A base's forward pass on raw libnd4j ops, which use oneDNN where DL4J's layers do not: {@link FastConvBase} for
 * channels-first chains of convolutions and poolings (VGG), {@link ChannelsLastFastBase} for channels-last graphs
 * imported from Keras or TF.js (MobileNetV2).
 */
public interface FastBase {

    /**
     * Runs a batch.
     *
     * @param nchwBatch images as the base's preprocessing writes them, {@code [n, c, h, w]}
     * @return the features, channels first, a new array the caller owns
     */
    INDArray features(INDArray nchwBatch);

    /** The graph's vertices this path computes, in the order it runs them. */
    List<String> layerNames();
}
