package io.imgstream.model.training;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.BaseInputPreProcessor;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves the channel axis of 4-d activations: NCHW to NHWC or back, with the inverse move on the way back in
 * training. DL4J's own {@code PermutePreprocessor} applies the same permutation to the gradient as to the
 * activations, which breaks fine-tuning through it (seen with DL4J 1.0.0-M2.1).
 *
 * <p>A Java bean, as DL4J's JSON configuration (and so every saved network) requires.
 */
public final class ChannelOrder extends BaseInputPreProcessor {

    private static final long serialVersionUID = 1L;
    private static final int[] TO_CHANNELS_LAST = {0, 2, 3, 1};
    private static final int[] TO_CHANNELS_FIRST = {0, 3, 1, 2};

    private boolean toChannelsLast;

    /** For DL4J's JSON configuration. */
    public ChannelOrder() {}

    /** @param toChannelsLast NCHW to NHWC when true, NHWC to NCHW when false */
    public ChannelOrder(boolean toChannelsLast) {
        this.toChannelsLast = toChannelsLast;
    }

    /** Whether activations go from NCHW to NHWC (else back). */
    public boolean isToChannelsLast() {
        return toChannelsLast;
    }

    /** For DL4J's JSON configuration. */
    public void setToChannelsLast(boolean toChannelsLast) {
        this.toChannelsLast = toChannelsLast;
    }

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.dup(
                ArrayType.ACTIVATIONS, input.permute(toChannelsLast ? TO_CHANNELS_LAST : TO_CHANNELS_FIRST), 'c');
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.dup(
                ArrayType.ACTIVATION_GRAD, output.permute(toChannelsLast ? TO_CHANNELS_FIRST : TO_CHANNELS_LAST), 'c');
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        if (inputType instanceof InputType.InputTypeConvolutional convolutional) {
            return InputType.convolutional(
                    convolutional.getHeight(),
                    convolutional.getWidth(),
                    convolutional.getChannels(),
                    toChannelsLast ? CNN2DFormat.NHWC : CNN2DFormat.NCHW);
        }
        return inputType;
    }

    @Override
    public ChannelOrder clone() {
        return new ChannelOrder(toChannelsLast);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChannelOrder that && that.toChannelsLast == toChannelsLast;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(toChannelsLast);
    }

    @Override
    public String toString() {
        return toChannelsLast ? "ChannelOrder[NCHW->NHWC]" : "ChannelOrder[NHWC->NCHW]";
    }
}
