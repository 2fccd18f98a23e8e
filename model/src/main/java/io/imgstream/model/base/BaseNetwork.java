package io.imgstream.model.base;

import io.imgstream.model.preprocess.Preprocessing;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A convolutional base without its classifier top ({@code include_top=false}): the part of a pretrained
 * network whose output, the bottleneck features, a small head is trained on.
 *
 * <p>Implementations are immutable descriptions plus one loaded graph; the graph itself is not thread-safe.
 */
public interface BaseNetwork {

    /** Name and weights hash. */
    BaseModelId id();

    /**
     * What a bundle built on this base records as its base model ({@code BundleManifest.baseModelId}), and so the
     * key of the features its scorers publish: {@link #id()} as text, or every base's id where several are
     * concatenated.
     */
    default String modelId() {
        return id().toString();
    }

    /** How images must be prepared for this base: input size, channel order, scaling. */
    Preprocessing preprocessing();

    /** The loaded network; its single output is the bottleneck. */
    ComputationGraph graph();

    /** Name of the layer or vertex whose activations are the bottleneck features. */
    String bottleneckLayer();

    /** Shape of one image's features, channels first, e.g. {@code [512, 4, 4]} for VGG16 at 150x150. */
    long[] featureShape();

    /**
     * Layout of the graph's image input and feature output. DL4J-built bases are channels first
     * ({@link CNN2DFormat#NCHW}, the layout {@link Preprocessing#toBatch} writes); bases imported from
     * Keras or TF.js keep TensorFlow's channels-last {@link CNN2DFormat#NHWC}.
     */
    default CNN2DFormat dataFormat() {
        return CNN2DFormat.NCHW;
    }

    /**
     * Runs the base on a preprocessed batch, converting layouts where {@link #dataFormat()} is NHWC, so
     * callers always pass and get channels-first arrays.
     *
     * <p>Not thread-safe: it runs {@link #graph()}.
     *
     * @param nchwBatch {@code [n, channels, height, width]} as {@link Preprocessing#toBatch} makes it
     * @return features of shape {@code [n, ...featureShape()]}
     */
    default INDArray features(INDArray nchwBatch) {
        if (dataFormat() == CNN2DFormat.NCHW) {
            return graph().outputSingle(nchwBatch);
        }
        INDArray output = graph().outputSingle(nchwBatch.permute(0, 2, 3, 1).dup('c'));
        return output.rank() == 4 ? output.permute(0, 3, 1, 2).dup('c') : output;
    }
}
