package io.imgstream.model.inference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.scalar.Relu6;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The forward pass of a channels-last base imported from Keras or TF.js (MobileNetV2, InceptionV3 and networks
 * built like them: plain and depthwise convolutions, batch normalisations, ReLU and ReLU6, zero padding, residual
 * sums, max and average poolings, channel concatenations), run as raw libnd4j {@code conv2d}, {@code
 * depthwise_conv2d}, {@code maxpool2d} and {@code avgpool2d} ops on channels-last data, with every batch
 * normalisation that follows a convolution folded into that convolution's weights and bias when this object is
 * built.
 *
 * <p><strong>Why:</strong> DL4J 1.0.0-M2.1 runs these layers without oneDNN: every convolution, even a 1x1 one,
 * becomes an {@code im2col} copy and a matrix product, and every batch normalisation five broadcast passes.
 * Profiled on nsfwjs's MobileNetV2 (batch 8, 224x224), {@code im2col} alone took half the time; nsfwjs's
 * InceptionV3 ran about nine times faster here than through DL4J's layers. The same libnd4j
 * ops called directly use oneDNN's kernels, as {@link FastConvBase} does for channels-first VGG bases; folding
 * removes the normalisations' passes altogether, and a zero padding that only a convolution reads, where it is the
 * padding {@code Same} mode would add (MobileNetV2's before its strided convolutions), becomes that mode instead of
 * a padded copy.
 *
 * <p><strong>Exactness:</strong> folding computes {@code gamma * (W x + b - mean) / sqrt(var + eps) + beta} as
 * {@code W' x + b'}, the same function up to float rounding (within 1e-4 of DL4J on the real MobileNetV2's
 * activations, which reach 6). A graph with anything else (a layer type, activation, pooling, merge or data format
 * not listed above, a normalisation that does not follow a convolution it alone reads) is refused when this object
 * is built, so the caller keeps DL4J's layers for it.
 *
 * <p><strong>Memory:</strong> a pass allocates its activations in an ND4J workspace of the calling thread, sized
 * on the first pass and reused by the next ones (of any base on that thread), and only the features it returns
 * outside it. ND4J 1.0.0-M2.1's {@code INDArray.close()} frees nothing on the CPU backend, so activations allocated
 * and closed per pass stayed in memory until a garbage collection: ResNet50 at batch 8 left about 265 MB per pass
 * (the sum of its activations), and a benchmark's process grew to 5.5 GB over 16 passes. A workspace holds one
 * pass's activations, less those an activation or a residual sum overwrites in place, once per thread that runs
 * passes.
 *
 * <p>Weights are copied when this object is built; later changes to the graph are not seen. Thread-safe: a pass
 * keeps its state on the calling thread.
 */
public final class ChannelsLastFastBase implements FastBase {

    /** libnd4j window-op integer argument: channels-last data. */
    private static final int NHWC = 1;
    /** libnd4j conv2d/depthwise_conv2d integer argument: weights as {@code [kH, kW, in, out]}. */
    private static final int WEIGHTS_YXIO = 0;

    /** avgpool2d's divisor argument: the window's cells inside the input, not the padding (Keras's pooling). */
    private static final int DIVIDE_BY_CELLS_INSIDE = 0;
    /** avgpool2d's divisor argument: the whole window, padding included. */
    private static final int DIVIDE_BY_WINDOW = 1;
    /** maxpool2d's divisor argument is unused; kept for the argument positions. */
    private static final int UNUSED_POOL_ARGUMENT = 0;

    private static final double RELU6_MAXIMUM = 6.0;
    private static final int OUT_CHANNEL_AXIS = 3;
    private static final int DEPTHWISE_CHANNEL_AXIS = 2;

    /** One per thread, whichever base it runs: a scorer's inference thread keeps one across model versions. */
    private static final String PASS_WORKSPACE_ID = "imgstream-channels-last-pass";

    /** Sized by the first pass; a bigger batch later spills, and the workspace grows to it on its next reset. */
    private static final WorkspaceConfiguration PASS_WORKSPACE = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.STRICT)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    /** One step: reads the activations of its inputs, returns its own. */
    private interface Operation {
        INDArray apply(List<INDArray> inputs);
    }

    /**
     * @param name      the vertex whose activations this step computes
     * @param inputs    the indices of the activations it reads (0: the network's input, i: step i-1's output)
     * @param operation what it computes
     */
    private record Step(String name, int[] inputs, Operation operation) {}

    /** A convolution whose weights and bias a following batch normalisation may still fold into. */
    private static final class Convolution {
        final INDArray weights;
        final INDArray bias;
        final int channelAxis;

        Convolution(INDArray weights, INDArray bias, int channelAxis) {
            this.weights = weights;
            this.bias = bias;
            this.channelAxis = channelAxis;
        }
    }

    private final List<Step> steps;
    private final int output;

    private ChannelsLastFastBase(List<Step> steps, int output) {
        this.steps = steps;
        this.output = output;
    }

    /**
     * Builds the fast path of a channels-last graph with one input and one output.
     *
     * @throws UnsupportedGraphException naming the first vertex, setting or wiring it cannot reproduce
     */
    public static ChannelsLastFastBase from(ComputationGraph graph) {
        Objects.requireNonNull(graph, "graph");
        ComputationGraphConfiguration configuration = graph.getConfiguration();
        if (configuration.getNetworkInputs().size() != 1
                || configuration.getNetworkOutputs().size() != 1) {
            throw new UnsupportedGraphException("the fast path runs graphs of one input and one output, not "
                    + configuration.getNetworkInputs() + " -> " + configuration.getNetworkOutputs());
        }
        Map<String, List<String>> vertexInputs = configuration.getVertexInputs();
        Map<String, Integer> readers = new HashMap<>();
        vertexInputs.values().forEach(inputs -> inputs.forEach(input -> readers.merge(input, 1, Integer::sum)));

        // Where each vertex's activations are: an index into the pass's activations (a folded normalisation's
        // are its convolution's).
        Map<String, Integer> index = new HashMap<>();
        index.put(configuration.getNetworkInputs().get(0), 0);
        List<Step> steps = new ArrayList<>();
        Map<String, Convolution> foldable = new HashMap<>();
        // Zero paddings a convolution alone reads, by that convolution's name: it pads for itself.
        Map<String, int[]> paddingOf = new HashMap<>();
        for (int position : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[position].getVertexName();
            GraphVertex vertex = configuration.getVertices().get(name);
            if (vertex == null) {
                continue;
            }
            if (vertex instanceof FrozenVertex frozen) {
                // Frozen only for training: for inference the vertex it wraps.
                vertex = frozen.getUnderlying();
            }
            List<String> inputs = vertexInputs.getOrDefault(name, List.of());
            if (vertex instanceof PreprocessorVertex reorder && inputs.size() == 1) {
                boolean toChannelsLast =
                        inputs.get(0).equals(configuration.getNetworkInputs().get(0))
                                && reorders(reorder, CNN2DFormat.NCHW, CNN2DFormat.NHWC);
                boolean toChannelsFirst =
                        name.equals(configuration.getNetworkOutputs().get(0))
                                && reorders(reorder, CNN2DFormat.NHWC, CNN2DFormat.NCHW);
                if (toChannelsLast || toChannelsFirst) {
                    // What a pass does anyway: it takes channels-first images and gives channels-first features.
                    index.put(name, index.get(inputs.get(0)));
                    continue;
                }
            }
            if (vertex instanceof LayerVertex layerVertex
                    && unwrapped(layerVertex) instanceof BatchNormalization normalization) {
                Convolution convolution = inputs.size() == 1 ? foldable.get(inputs.get(0)) : null;
                if (convolution == null || readers.get(inputs.get(0)) != 1) {
                    throw new UnsupportedGraphException("batch normalisation '" + name
                            + "' does not follow a linear convolution that only it reads: it can't be folded");
                }
                fold(normalization, graph.getLayer(name), convolution);
                index.put(name, index.get(inputs.get(0)));
                continue;
            }
            if (vertex instanceof LayerVertex layerVertex
                    && unwrapped(layerVertex) instanceof ZeroPaddingLayer padding
                    && padding.getDataFormat() == CNN2DFormat.NHWC
                    && readers.getOrDefault(name, 0) == 1) {
                String reader = vertexInputs.entrySet().stream()
                        .filter(entry -> entry.getValue().contains(name))
                        .map(Map.Entry::getKey)
                        .findFirst()
                        .orElseThrow();
                if (unpaddedConvolution(configuration.getVertices().get(reader))) {
                    paddingOf.put(reader, padding.getPadding());
                    index.put(name, index.get(inputs.get(0)));
                    continue;
                }
            }
            int[] inputIndices = inputs.stream().mapToInt(index::get).toArray();
            Operation operation = operation(name, vertex, graph, inputs, readers, foldable, paddingOf.get(name));
            steps.add(new Step(name, inputIndices, operation));
            index.put(name, steps.size());
        }
        return new ChannelsLastFastBase(
                List.copyOf(steps), index.get(configuration.getNetworkOutputs().get(0)));
    }

    private static Operation operation(
            String name,
            GraphVertex vertex,
            ComputationGraph graph,
            List<String> inputs,
            Map<String, Integer> readers,
            Map<String, Convolution> foldable,
            int[] zeroPadding) {
        if (vertex instanceof ElementWiseVertex sum) {
            if (sum.getOp() != ElementWiseVertex.Op.Add || inputs.size() != 2) {
                throw new UnsupportedGraphException("'" + name + "' is an element-wise " + sum.getOp() + " of "
                        + inputs.size() + " inputs; the fast path sums two");
            }
            // Into an input only this sum reads (a residual branch's last convolution): one allocation less.
            if (readers.get(inputs.get(1)) == 1) {
                return in -> in.get(1).addi(in.get(0));
            }
            if (readers.get(inputs.get(0)) == 1) {
                return in -> in.get(0).addi(in.get(1));
            }
            return in -> in.get(0).add(in.get(1));
        }
        if (vertex instanceof MergeVertex concatenation) {
            if (concatenation.getMergeAxis() != OUT_CHANNEL_AXIS) {
                throw new UnsupportedGraphException("'" + name + "' concatenates along axis "
                        + concatenation.getMergeAxis() + "; channels last, the fast path concatenates channels (3)");
            }
            return in -> in.size() == 1 ? in.get(0).dup() : Nd4j.concat(OUT_CHANNEL_AXIS, in.toArray(INDArray[]::new));
        }
        if (!(vertex instanceof LayerVertex layerVertex)) {
            throw new UnsupportedGraphException(
                    "'" + name + "' is a " + vertex.getClass().getSimpleName());
        }
        org.deeplearning4j.nn.conf.layers.Layer layer = unwrapped(layerVertex);
        // An activation overwrites its input: only where nothing else reads it.
        boolean ownInput = inputs.size() == 1 && readers.get(inputs.get(0)) == 1;
        if (layer instanceof ActivationLayer activationLayer) {
            Operation activation = activation(name, activationLayer.getActivationFn());
            return in ->
                    activation.apply(List.of(ownInput ? in.get(0) : in.get(0).dup()));
        }
        if (layer instanceof ZeroPaddingLayer padding) {
            requireChannelsLast(name, padding.getDataFormat());
            int[] pad = padding.getPadding();
            return in -> zeroPadded(in.get(0), pad);
        }
        if (layer.getClass() == SubsamplingLayer.class) {
            return pooling(name, (SubsamplingLayer) layer);
        }
        if (layer instanceof SeparableConvolution2D separable) {
            return separable(name, separable, graph.getLayer(name), foldable);
        }
        if (layer.getClass() == ConvolutionLayer.class || layer instanceof DepthwiseConvolution2D) {
            ConvolutionLayer convolution = (ConvolutionLayer) layer;
            requireChannelsLast(name, convolution.getCnn2dDataFormat());
            requirePaddingMode(name, convolution.getConvolutionMode());
            boolean depthwise = layer instanceof DepthwiseConvolution2D;
            Layer parameters = graph.getLayer(name);
            INDArray weights = depthwise
                    ? parameters.getParam("W").dup('c')
                    : parameters.getParam("W").permute(2, 3, 1, 0).dup('c');
            long outChannels = depthwise ? weights.size(2) * weights.size(3) : weights.size(3);
            INDArray bias = convolution.hasBias()
                    ? parameters.getParam("b").reshape(outChannels).dup()
                    : Nd4j.zeros(weights.dataType(), outChannels);
            if (convolution.getActivationFn() instanceof ActivationIdentity) {
                // A normalisation after a nonlinearity is not a function of the weights: only linear ones fold.
                foldable.put(
                        name, new Convolution(weights, bias, depthwise ? DEPTHWISE_CHANNEL_AXIS : OUT_CHANNEL_AXIS));
            }
            Operation activation = activation(name, convolution.getActivationFn());
            int[] arguments = convolutionArguments(
                    convolution.getKernelSize(),
                    convolution.getStride(),
                    convolution.getPadding(),
                    convolution.getDilation(),
                    convolution.getConvolutionMode());
            String op = depthwise ? "depthwise_conv2d" : "conv2d";
            if (zeroPadding == null) {
                return in -> activation.apply(List.of(convolved(op, in.get(0), weights, bias, arguments, outChannels)));
            }
            int[] same = arguments.clone();
            same[WindowArguments.PADDING_MODE] = WindowArguments.SAME_MODE;
            return in -> {
                INDArray input = in.get(0);
                if (isSamePadding(zeroPadding, input, arguments)) {
                    return activation.apply(List.of(convolved(op, input, weights, bias, same, outChannels)));
                }
                INDArray padded = zeroPadded(input, zeroPadding);
                return activation.apply(List.of(convolved(op, padded, weights, bias, arguments, outChannels)));
            };
        }
        throw new UnsupportedGraphException("'" + name + "' is a "
                + layer.getClass().getSimpleName() + ", which the channels-last fast path does not run");
    }

    /**
     * A separable convolution as its two halves: a depthwise convolution without bias, then a 1x1 convolution with
     * the layer's bias and activation, which a following batch normalisation folds into like any convolution's.
     */
    private static Operation separable(
            String name, SeparableConvolution2D separable, Layer parameters, Map<String, Convolution> foldable) {
        requireChannelsLast(name, separable.getCnn2dDataFormat());
        requirePaddingMode(name, separable.getConvolutionMode());
        // DL4J keeps both kernels channels first ([multiplier, in, kH, kW] and [out, in * multiplier, 1, 1]).
        INDArray depthwise = parameters.getParam("W").permute(2, 3, 1, 0).dup('c');
        INDArray pointwise = parameters.getParam("pW").permute(2, 3, 1, 0).dup('c');
        long depthwiseChannels = depthwise.size(2) * depthwise.size(3);
        long outChannels = pointwise.size(3);
        INDArray noBias = Nd4j.zeros(depthwise.dataType(), depthwiseChannels);
        INDArray bias = separable.hasBias()
                ? parameters.getParam("b").reshape(outChannels).dup()
                : Nd4j.zeros(pointwise.dataType(), outChannels);
        if (separable.getActivationFn() instanceof ActivationIdentity) {
            foldable.put(name, new Convolution(pointwise, bias, OUT_CHANNEL_AXIS));
        }
        int[] spatial = convolutionArguments(
                separable.getKernelSize(),
                separable.getStride(),
                separable.getPadding(),
                separable.getDilation(),
                separable.getConvolutionMode());
        int[] pointwiseArguments = convolutionArguments(
                new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, ConvolutionMode.Truncate);
        Operation activation = activation(name, separable.getActivationFn());
        return in -> {
            INDArray spread = convolved("depthwise_conv2d", in.get(0), depthwise, noBias, spatial, depthwiseChannels);
            return activation.apply(
                    List.of(convolved("conv2d", spread, pointwise, bias, pointwiseArguments, outChannels)));
        };
    }

    /** A plain or depthwise convolution that pads nothing itself (Keras's {@code valid}). */
    private static boolean unpaddedConvolution(GraphVertex vertex) {
        if (vertex instanceof FrozenVertex frozen) {
            vertex = frozen.getUnderlying();
        }
        return vertex instanceof LayerVertex layerVertex
                && unwrapped(layerVertex) instanceof ConvolutionLayer convolution
                && (convolution.getClass() == ConvolutionLayer.class || convolution instanceof DepthwiseConvolution2D)
                && convolution.getConvolutionMode() == ConvolutionMode.Truncate
                && convolution.getPadding()[0] == 0
                && convolution.getPadding()[1] == 0;
    }

    /**
     * Whether a zero padding ({@code [top, bottom, left, right]}) of this input is what {@code Same} mode pads for
     * the convolution: TensorFlow's rule, half the padding a window needs before, the rest after, which libnd4j
     * follows. Keras pads MobileNetV2's strided convolutions so by hand ({@code correct_pad}); the convolution then
     * reads the input in place instead of a padded copy.
     */
    private static boolean isSamePadding(int[] padding, INDArray input, int[] arguments) {
        for (int axis = 0; axis < 2; axis++) {
            long size = input.size(1 + axis);
            int kernel = arguments[axis];
            int stride = arguments[2 + axis];
            int dilation = arguments[6 + axis];
            long outputs = (size + stride - 1) / stride;
            long total = Math.max((outputs - 1) * stride + (long) (kernel - 1) * dilation + 1 - size, 0);
            if (padding[2 * axis] != total / 2 || padding[2 * axis + 1] != total - total / 2) {
                return false;
            }
        }
        return true;
    }

    private static int[] convolutionArguments(
            int[] kernel, int[] stride, int[] padding, int[] dilation, ConvolutionMode mode) {
        return WindowArguments.of(kernel, stride, padding, dilation, mode == ConvolutionMode.Same, NHWC, WEIGHTS_YXIO);
    }

    private static INDArray convolved(
            String op, INDArray input, INDArray weights, INDArray bias, int[] arguments, long outChannels) {
        INDArray out = Nd4j.createUninitialized(
                input.dataType(),
                input.size(0),
                outputSize(input.size(1), arguments, 0),
                outputSize(input.size(2), arguments, 1),
                outChannels);
        Nd4j.exec(DynamicCustomOp.builder(op)
                .addInputs(input, weights, bias)
                .addOutputs(out)
                .addIntegerArguments(arguments)
                .build());
        return out;
    }

    private static void requirePaddingMode(String name, ConvolutionMode mode) {
        if (mode != ConvolutionMode.Same && mode != ConvolutionMode.Truncate) {
            throw new UnsupportedGraphException("'" + name + "' pads in " + mode + " mode");
        }
    }

    private static Operation pooling(String name, SubsamplingLayer pooling) {
        requireChannelsLast(name, pooling.getCnn2dDataFormat());
        requirePaddingMode(name, pooling.getConvolutionMode());
        String op;
        int divisor;
        if (pooling.getPoolingType() == PoolingType.MAX) {
            op = "maxpool2d";
            divisor = UNUSED_POOL_ARGUMENT;
        } else if (pooling.getPoolingType() == PoolingType.AVG) {
            op = "avgpool2d";
            divisor = pooling.isAvgPoolIncludePadInDivisor() ? DIVIDE_BY_WINDOW : DIVIDE_BY_CELLS_INSIDE;
        } else {
            throw new UnsupportedGraphException("'" + name + "' is " + pooling.getPoolingType() + " pooling");
        }
        int[] arguments = WindowArguments.of(
                pooling.getKernelSize(),
                pooling.getStride(),
                pooling.getPadding(),
                pooling.getDilation(),
                pooling.getConvolutionMode() == ConvolutionMode.Same,
                divisor,
                NHWC);
        return in -> {
            INDArray input = in.get(0);
            INDArray out = Nd4j.createUninitialized(
                    input.dataType(),
                    input.size(0),
                    outputSize(input.size(1), arguments, 0),
                    outputSize(input.size(2), arguments, 1),
                    input.size(3));
            Nd4j.exec(DynamicCustomOp.builder(op)
                    .addInputs(input)
                    .addOutputs(out)
                    .addIntegerArguments(arguments)
                    .build());
            return out;
        };
    }

    /**
     * A bundle's network (a channels-last base with a head) takes channels-first images and hands the head
     * channels-first features through two preprocessors that only reorder the axes: recognised by what they make
     * of a convolutional input type (the same sizes, the other layout).
     */
    private static boolean reorders(PreprocessorVertex vertex, CNN2DFormat from, CNN2DFormat to) {
        InputType output = vertex.getPreProcessor().getOutputType(InputType.convolutional(7, 5, 3, from));
        return output instanceof InputType.InputTypeConvolutional convolutional
                && convolutional.getHeight() == 7
                && convolutional.getWidth() == 5
                && convolutional.getChannels() == 3
                && convolutional.getFormat() == to;
    }

    // A bundle's base layers are frozen: for inference a frozen layer is the layer it wraps.
    private static org.deeplearning4j.nn.conf.layers.Layer unwrapped(LayerVertex vertex) {
        org.deeplearning4j.nn.conf.layers.Layer layer = vertex.getLayerConf().getLayer();
        if (layer instanceof FrozenLayer frozen) {
            return frozen.getLayer();
        }
        if (layer instanceof FrozenLayerWithBackprop frozen) {
            return frozen.getUnderlying();
        }
        return layer;
    }

    private static void requireChannelsLast(String name, CNN2DFormat format) {
        if (format != CNN2DFormat.NHWC) {
            throw new UnsupportedGraphException("'" + name + "' is " + format + "; this fast path is channels last");
        }
    }

    // Activation in place: the step's own output, or a copy of an input others read.
    private static Operation activation(String name, IActivation function) {
        if (function instanceof ActivationIdentity) {
            return in -> in.get(0);
        }
        // ReLU6 (Keras's ReLU(max_value=6) imports as a ReLU with a maximum) as one pass where a ReLU and a
        // minimum would be two over the whole activation.
        Operation relu6 = in -> Nd4j.getExecutioner().exec(new Relu6(in.get(0), in.get(0), 0.0));
        if (function instanceof ActivationReLU6) {
            return relu6;
        }
        if (function instanceof ActivationReLU relu && isZero(relu.getThreshold()) && isZero(relu.getNegativeSlope())) {
            Double max = relu.getMax();
            if (max != null && max == RELU6_MAXIMUM) {
                return relu6;
            }
            return in -> {
                INDArray x = Transforms.relu(in.get(0), false);
                return max == null ? x : Transforms.min(x, max, false);
            };
        }
        throw new UnsupportedGraphException("'" + name + "' uses activation " + function);
    }

    private static boolean isZero(Double value) {
        return value == null || value == 0;
    }

    private static void fold(BatchNormalization configuration, Layer normalization, Convolution convolution) {
        INDArray mean = normalization.getParam("mean").reshape(-1);
        // DL4J's own networks keep log10 of a deviation by default, whose square gets eps added; imported ones
        // keep the variance.
        INDArray variance = configuration.isUseLogStd()
                ? Transforms.exp(
                        normalization.getParam("log10stdev").reshape(-1).mul(2 * Math.log(10)), false)
                : normalization.getParam("var").reshape(-1).dup();
        INDArray deviation = Transforms.sqrt(variance.addi(configuration.getEps()), false);
        INDArray gamma = configuration.isLockGammaBeta()
                ? Nd4j.valueArrayOf(mean.shape(), configuration.getGamma(), mean.dataType())
                : normalization.getParam("gamma").reshape(-1);
        INDArray beta = configuration.isLockGammaBeta()
                ? Nd4j.valueArrayOf(mean.shape(), configuration.getBeta(), mean.dataType())
                : normalization.getParam("beta").reshape(-1);
        INDArray scale = gamma.div(deviation);
        Nd4j.getExecutioner()
                .exec(new BroadcastMulOp(convolution.weights, scale, convolution.weights, convolution.channelAxis));
        convolution.bias.subi(mean).muli(scale).addi(beta);
    }

    private static long outputSize(long size, int[] arguments, int axis) {
        int kernel = arguments[axis];
        int stride = arguments[2 + axis];
        int padding = arguments[4 + axis];
        int dilation = arguments[6 + axis];
        if (arguments[WindowArguments.PADDING_MODE] == WindowArguments.SAME_MODE) {
            return (size + stride - 1) / stride;
        }
        return (size + 2L * padding - (long) (kernel - 1) * dilation - 1) / stride + 1;
    }

    private static INDArray zeroPadded(INDArray input, int[] pad) {
        long[] shape = input.shape();
        INDArray out = Nd4j.zeros(
                input.dataType(), shape[0], shape[1] + pad[0] + pad[1], shape[2] + pad[2] + pad[3], shape[3]);
        out.get(
                        NDArrayIndex.all(),
                        NDArrayIndex.interval(pad[0], pad[0] + shape[1]),
                        NDArrayIndex.interval(pad[2], pad[2] + shape[2]),
                        NDArrayIndex.all())
                .assign(input);
        return out;
    }

    /**
     * Runs a batch.
     *
     * @param nchwBatch images as the base's preprocessing writes them, {@code [n, c, h, w]}
     * @return the features, channels first ({@code [n, c, h, w]}), a new array the caller owns
     */
    @Override
    public INDArray features(INDArray nchwBatch) {
        try (MemoryWorkspace pass =
                Nd4j.getWorkspaceManager().getAndActivateWorkspace(PASS_WORKSPACE, PASS_WORKSPACE_ID)) {
            INDArray[] activations = new INDArray[steps.size() + 1];
            activations[0] = nchwBatch.permute(0, 2, 3, 1).dup('c');
            for (int s = 0; s < steps.size(); s++) {
                Step step = steps.get(s);
                List<INDArray> inputs = new ArrayList<>(step.inputs().length);
                for (int input : step.inputs()) {
                    inputs.add(activations[input]);
                }
                activations[s + 1] = step.operation().apply(inputs);
            }
            try (MemoryWorkspace caller = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return activations[output].permute(0, 3, 1, 2).dup('c');
            }
        }
    }

    @Override
    public List<String> layerNames() {
        return steps.stream().map(Step::name).toList();
    }
}
