package io.imgstream.model.inference;

import java.util.Arrays;

/**
 * The integer arguments libnd4j's window ops ({@code conv2d}, {@code depthwise_conv2d}, {@code maxpool2d},
 * {@code avgpool2d}) share: kernel, stride, padding and dilation (height, width each), the padding mode, then the
 * op's own.
 */
final class WindowArguments {

    /** Position of the padding mode among the arguments. */
    static final int PADDING_MODE = 8;
    /** Padding mode: {@code Same}, padding worked out from the input size as TensorFlow does. */
    static final int SAME_MODE = 1;
    /** Padding mode: the explicit padding given. */
    static final int EXPLICIT_PADDING = 0;

    private WindowArguments() {}

    static int[] of(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean same, int... opArguments) {
        int[] shared = {
            kernel[0],
            kernel[1],
            stride[0],
            stride[1],
            padding[0],
            padding[1],
            dilation[0],
            dilation[1],
            same ? SAME_MODE : EXPLICIT_PADDING
        };
        int[] all = Arrays.copyOf(shared, shared.length + opArguments.length);
        System.arraycopy(opArguments, 0, all, shared.length, opArguments.length);
        return all;
    }
}
