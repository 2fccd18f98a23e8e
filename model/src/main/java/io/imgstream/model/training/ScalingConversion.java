package io.imgstream.model.training;

import io.imgstream.model.preprocess.PixelScaling;

/**
 * The per-pixel affine map from one {@link PixelScaling} to another: every scaling is {@code a * x + b} of the 8-bit
 * value {@code x} of each colour, with the colours in RGB or BGR order, so converting is a 1x1 convolution (a 3x3
 * channel matrix that also reorders, plus a bias). It lets one network input, scaled one way, feed bases trained
 * with other scalings.
 *
 * @param weights {@code [to channel][from channel]}
 * @param biases  per output channel
 */
record ScalingConversion(double[][] weights, double[] biases) {

    private static final double MAX_8BIT = 255.0;
    private static final double TF_HALF_RANGE = 127.5;
    private static final int RED = 0;
    private static final int GREEN = 1;
    private static final int BLUE = 2;

    /**
     * The map from values scaled with {@code from} to values scaled with {@code to}.
     *
     * @param channels 1 or 3; with 1, the single channel is treated as one colour
     */
    static ScalingConversion between(PixelScaling from, PixelScaling to, int channels) {
        double[][] weights = new double[channels][channels];
        double[] biases = new double[channels];
        for (int out = 0; out < channels; out++) {
            int colour = colourAt(to, out, channels);
            int in = channelOf(from, colour, channels);
            // x = (v - bFrom) / aFrom, then aTo * x + bTo.
            double ratio = slope(to) / slope(from);
            weights[out][in] = ratio;
            biases[out] = offset(to, colour) - ratio * offset(from, colour);
        }
        return new ScalingConversion(weights, biases);
    }

    private static int colourAt(PixelScaling scaling, int channel, int channels) {
        return channels == 1 || scaling != PixelScaling.CAFFE_BGR ? channel : BLUE - channel;
    }

    private static int channelOf(PixelScaling scaling, int colour, int channels) {
        // The order is its own inverse: RGB <-> BGR swaps red and blue either way.
        return colourAt(scaling, colour, channels);
    }

    private static double slope(PixelScaling scaling) {
        return switch (scaling) {
            case UNIT -> 1 / MAX_8BIT;
            case TF -> 1 / TF_HALF_RANGE;
            case CAFFE_BGR -> 1;
        };
    }

    private static double offset(PixelScaling scaling, int colour) {
        return switch (scaling) {
            case UNIT -> 0;
            case TF -> -1;
            case CAFFE_BGR ->
                switch (colour) {
                    case RED -> -PixelScaling.IMAGENET_MEAN_RED;
                    case GREEN -> -PixelScaling.IMAGENET_MEAN_GREEN;
                    default -> -PixelScaling.IMAGENET_MEAN_BLUE;
                };
        };
    }
}
