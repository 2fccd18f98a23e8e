package io.imgstream.model.base;

import io.imgstream.model.preprocess.Preprocessing;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A convolutional base without its classifier top ({@code include_top=false}): the part of a pretrained
 * network whose output, the bottleneck features, a small head is trained on.
 *
 * <p>Implementations are immutable descriptions plus one loaded graph; the graph itself is not thread-safe.
 */
public interface BaseNetwork {

    /** Name and weights hash. */
    BaseModelId id();

    /** How images must be prepared for this base: input size, channel order, scaling. */
    Preprocessing preprocessing();

    /** The loaded network; its single output is the bottleneck. */
    ComputationGraph graph();

    /** Name of the layer or vertex whose activations are the bottleneck features. */
    String bottleneckLayer();

    /** Shape of one image's features, channels first, e.g. {@code [512, 4, 4]} for VGG16 at 150x150. */
    long[] featureShape();
}
