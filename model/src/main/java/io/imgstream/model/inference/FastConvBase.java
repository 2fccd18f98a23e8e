package io.imgstream.model.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The forward pass of a plain convolutional base (a chain of 2D convolutions with ReLU or identity activation
 * and max poolings, channels first), run as raw ND4J {@code conv2d} / {@code maxpool2d} custom ops into
 * preallocated output buffers. It is built from a DL4J {@link ComputationGraph} such as
 * {@link io.imgstream.model.base.VggBase#graph()} by reading each layer's configuration and parameters, so one
 * code path serves VGG16 and VGG19 at any input size.
 *
 * <p><strong>Why:</strong> stock DL4J 1.0.0-M2.1 never enables its oneDNN layer helpers, so it runs VGG16 at about
 * 11% of this machine's matrix-multiply speed. The same libnd4j ops called directly do use oneDNN when the
 * {@code nd4j-native} classifier is {@code linux-x86_64-onednn-avx2}: nothing else is needed — no system
 * property, no planted class, no global state is changed. With another classifier this class still computes the
 * same result, only without the speed-up.
 *
 * <p><strong>Weights</strong> are copied when this object is built (convolution kernels permuted once from
 * DL4J's {@code [out, in, kH, kW]} to libnd4j's {@code [kH, kW, in, out]} layout, biases made rank 1): later
 * changes to the graph are not seen.
 *
 * <p><strong>Buffers:</strong> each layer writes into one of two preallocated ping-pong buffers, each as large
 * as the largest activation of one pass (layer {@code i} reads the buffer layer {@code i-1} wrote and writes the
 * other), so memory is two activations, not the sum of all of them. A pass holds as many images of the batch as
 * fit a buffer of {@link #bufferBytes()} (default {@value #DEFAULT_BUFFER_BYTES} bytes, at least one image); a
 * bigger batch runs as several passes into one output. For VGG16 at 224x224 (12.8 MB per image in the first
 * block) a batch of 32 runs as passes of 20 and 12 images in 2 x 257 MB, instead of 2 x 411 MB for one pass or
 * about 1.9 GB without ping-pong buffers; throughput hardly depends on the pass size beyond a few images, since
 * each convolution is already a large matrix product. A pass whose activations fit reuses the buffers (a partial
 * batch after full ones costs no allocation); a bigger one replaces them. Allocating new outputs per call instead
 * grew off-heap memory to several GB here.
 *
 * <p><strong>Not thread-safe</strong>: the buffers are shared between calls. Use one instance per thread.
 */
public final class FastConvBase implements FastBase {

    /** Default upper bound of each ping-pong buffer: 256 MiB. */
    public static final long DEFAULT_BUFFER_BYTES = 256L << 20;

    /** libnd4j conv2d/maxpool2d integer argument: channels-first data. */
    private static final int NCHW = 0;
    /** libnd4j conv2d integer argument: weights as {@code [kH, kW, in, out]}. */
    private static final int WEIGHTS_YXIO = 0;

    /** maxpool2d's "extra parameter" slot; unused by max pooling, kept for the argument positions. */
    private static final int UNUSED_POOL_ARGUMENT = 0;
    /** Pooling windows are never dilated. */
    private static final int[] NO_DILATION = {1, 1};

    private static final int RANK_NCHW = 4;
    private static final int CHANNEL_AXIS = 1;
    private static final int HEIGHT_AXIS = 2;
    private static final int WIDTH_AXIS = 3;

    /** One step of the chain. */
    private sealed interface Step permits Convolution, MaxPool {
        String name();

        /** Output shape for an NCHW input shape. */
        long[] outputShape(long[] inputShape);

        void run(INDArray input, INDArray output);
    }

    private record Convolution(
            String name,
            INDArray weightsYxio,
            INDArray bias,
            int[] kernel,
            int[] stride,
            int[] padding,
            int[] dilation,
            boolean same,
            boolean relu)
            implements Step {

        long inChannels() {
            return weightsYxio.size(2);
        }

        long outChannels() {
            return weightsYxio.size(3);
        }

        @Override
        public long[] outputShape(long[] in) {
            return new long[] {
                in[0],
                outChannels(),
                outputSize(in[HEIGHT_AXIS], kernel[0], stride[0], padding[0], dilation[0], same),
                outputSize(in[WIDTH_AXIS], kernel[1], stride[1], padding[1], dilation[1], same)
            };
        }

        @Override
        public void run(INDArray input, INDArray output) {
            Nd4j.exec(DynamicCustomOp.builder("conv2d")
                    .addInputs(input, weightsYxio, bias)
                    .addOutputs(output)
                    .addIntegerArguments(
                            WindowArguments.of(kernel, stride, padding, dilation, same, NCHW, WEIGHTS_YXIO))
                    .build());
            if (relu) {
                Transforms.relu(output, false);
            }
        }
    }

    private record MaxPool(String name, int[] kernel, int[] stride, int[] padding, boolean same) implements Step {

        @Override
        public long[] outputShape(long[] in) {
            return new long[] {
                in[0],
                in[CHANNEL_AXIS],
                outputSize(in[HEIGHT_AXIS], kernel[0], stride[0], padding[0], 1, same),
                outputSize(in[WIDTH_AXIS], kernel[1], stride[1], padding[1], 1, same)
            };
        }

        @Override
        public void run(INDArray input, INDArray output) {
            Nd4j.exec(DynamicCustomOp.builder("maxpool2d")
                    .addInputs(input)
                    .addOutputs(output)
                    .addIntegerArguments(
                            WindowArguments.of(kernel, stride, padding, NO_DILATION, same, UNUSED_POOL_ARGUMENT, NCHW))
                    .build());
        }
    }

    private final List<Step> steps;
    private final long bufferBytes;
    private long[] bufferedShape;
    private INDArray[] pingPong;
    /** The output view of each step, alternating between the two ping-pong buffers. */
    private List<INDArray> outputs = List.of();

    private FastConvBase(List<Step> steps, long bufferBytes) {
        this.steps = steps;
        this.bufferBytes = bufferBytes;
    }

    /**
     * The same base with each ping-pong buffer bounded by {@code bytes}: less memory, more passes per batch. The
     * copy shares the weights and has buffers of its own.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public FastConvBase withBufferBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("the buffer bound must be positive, got " + bytes);
        }
        return new FastConvBase(steps, bytes);
    }

    /** The upper bound of each ping-pong buffer (one image's activations are always allowed, whatever their size). */
    public long bufferBytes() {
        return bufferBytes;
    }

    /**
     * Builds the fast path from a graph with one input and one output, wired as a single chain of
     * {@link ConvolutionLayer} (exactly that class; ReLU or identity activation, NCHW, with bias; {@code Same}
     * mode only with stride 1, else {@code Truncate}/{@code Strict} with explicit padding) and max
     * {@link SubsamplingLayer}s (NCHW, {@code Truncate}/{@code Strict} or {@code Same}, no dilation).
     *
     * @param graph an initialised graph; its parameters are copied
     * @return the fast path, computing the same output as {@code graph.outputSingle(input)}
     * @throws UnsupportedGraphException naming the first layer or wiring this class cannot reproduce
     */
    public static FastConvBase from(ComputationGraph graph) {
        Objects.requireNonNull(graph, "graph");
        if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
            throw new UnsupportedGraphException("only graphs with one input and one output are supported, got "
                    + graph.getNumInputArrays() + " inputs and " + graph.getNumOutputArrays() + " outputs");
        }
        List<Step> steps = chain(graph, true);
        String output = graph.getConfiguration().getNetworkOutputs().get(0);
        if (steps.isEmpty() || !steps.get(steps.size() - 1).name().equals(output)) {
            throw new UnsupportedGraphException("the graph output '" + output + "' is not the end of the layer chain");
        }
        return new FastConvBase(steps, DEFAULT_BUFFER_BYTES);
    }

    /**
     * The longest leading chain of a graph that this class can run: from the single input, each vertex a
     * supported convolution or max pooling that feeds only the next one. A classifier whose convolutional part
     * is such a chain (a VGG base or a small CNN, with a dense head) can run that part here and the rest in DL4J.
     *
     * @param graph an initialised graph; the prefix's parameters are copied
     * @return the prefix and the name of its last layer, or empty if the first layer is already unsupported
     */
    public static Optional<Prefix> longestPrefix(ComputationGraph graph) {
        Objects.requireNonNull(graph, "graph");
        if (graph.getNumInputArrays() != 1) {
            return Optional.empty();
        }
        List<Step> steps = chain(graph, false);
        if (steps.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Prefix(
                new FastConvBase(steps, DEFAULT_BUFFER_BYTES),
                steps.get(steps.size() - 1).name()));
    }

    /**
     * The leading chain of supported layers, in order. Strict: every vertex must belong to it, and the first that
     * does not is named in the exception; otherwise the chain ends before that vertex.
     */
    private static List<Step> chain(ComputationGraph graph, boolean strict) {
        GraphVertex[] vertices = graph.getVertices();
        List<Step> steps = new ArrayList<>();
        int previous = -1;
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex vertex = vertices[index];
            if (vertex.isInputVertex()) {
                previous = index;
                continue;
            }
            try {
                requireChainLink(vertex, vertices[previous], previous);
                steps.add(step(vertex.getVertexName(), vertex.getLayer()));
            } catch (UnsupportedGraphException e) {
                if (strict) {
                    throw e;
                }
                break;
            }
            previous = index;
        }
        return List.copyOf(steps);
    }

    /** A chain link takes its only input from the previous vertex, which feeds nothing else, and is a layer. */
    private static void requireChainLink(GraphVertex vertex, GraphVertex previousVertex, int previous) {
        VertexIndices[] inputs = vertex.getInputVertices();
        VertexIndices[] previousOutputs = previousVertex.getOutputVertices();
        if (inputs == null
                || inputs.length != 1
                || inputs[0].getVertexIndex() != previous
                || previousOutputs == null
                || previousOutputs.length != 1) {
            throw new UnsupportedGraphException("vertex '" + vertex.getVertexName()
                    + "' is not part of a single chain; only a chain of layers is supported");
        }
        if (!vertex.hasLayer()) {
            throw new UnsupportedGraphException("vertex '" + vertex.getVertexName() + "' ("
                    + vertex.getClass().getSimpleName() + ") is not a layer; only convolution and max pooling "
                    + "layers are supported");
        }
    }

    /**
     * A fast path over the leading part of a graph.
     *
     * @param base     runs the prefix
     * @param boundary name of the prefix's last layer, whose activations {@code base} returns
     */
    public record Prefix(FastConvBase base, String boundary) {}

    private static Step step(String name, org.deeplearning4j.nn.api.Layer layer) {
        Layer conf = unfrozen(layer.conf().getLayer());
        if (conf.getClass() == ConvolutionLayer.class) {
            return convolution(name, (ConvolutionLayer) conf, layer);
        }
        if (conf.getClass() == SubsamplingLayer.class) {
            return maxPool(name, (SubsamplingLayer) conf);
        }
        throw new UnsupportedGraphException("layer '" + name + "' is a "
                + conf.getClass().getSimpleName() + "; only ConvolutionLayer and max SubsamplingLayer are supported");
    }

    /** Freezing only matters to training: a frozen layer computes what the layer it wraps computes. */
    private static Layer unfrozen(Layer conf) {
        if (conf instanceof FrozenLayer frozen) {
            return unfrozen(frozen.getLayer());
        }
        if (conf instanceof FrozenLayerWithBackprop frozen) {
            return unfrozen(frozen.getUnderlying());
        }
        return conf;
    }

    private static Convolution convolution(String name, ConvolutionLayer conf, org.deeplearning4j.nn.api.Layer layer) {
        requireNchw(name, conf.getCnn2dDataFormat());
        IActivation activation = conf.getActivationFn();
        boolean relu = activation instanceof ActivationReLU;
        if (relu && !isPlainRelu((ActivationReLU) activation)) {
            throw new UnsupportedGraphException("layer '" + name + "' uses a ReLU with a threshold, cap or "
                    + "negative slope; only plain ReLU is supported");
        }
        if (!relu && !(activation instanceof ActivationIdentity)) {
            throw new UnsupportedGraphException(
                    "layer '" + name + "' has activation " + activation + "; only ReLU and identity are supported");
        }
        if (!conf.hasBias()) {
            throw new UnsupportedGraphException(
                    "layer '" + name + "' has no bias; only convolutions with bias are supported");
        }
        boolean same = isSame(name, conf.getConvolutionMode(), conf.getStride());
        // Copied so that later training of the graph cannot change this path's results silently.
        INDArray weights = layer.getParam("W").permute(2, 3, 1, 0).dup('c');
        INDArray bias = layer.getParam("b").reshape(-1).dup('c');
        return new Convolution(
                name,
                weights,
                bias,
                conf.getKernelSize().clone(),
                conf.getStride().clone(),
                same ? new int[] {0, 0} : conf.getPadding().clone(),
                conf.getDilation().clone(),
                same,
                relu);
    }

    private static MaxPool maxPool(String name, SubsamplingLayer conf) {
        requireNchw(name, conf.getCnn2dDataFormat());
        if (conf.getPoolingType() != org.deeplearning4j.nn.conf.layers.PoolingType.MAX) {
            throw new UnsupportedGraphException(
                    "layer '" + name + "' is " + conf.getPoolingType() + " pooling; only max pooling is supported");
        }
        if (conf.getDilation()[0] != 1 || conf.getDilation()[1] != 1) {
            throw new UnsupportedGraphException("layer '" + name + "' uses dilated pooling, which is not supported");
        }
        boolean same = isSame(name, conf.getConvolutionMode(), conf.getStride());
        return new MaxPool(
                name,
                conf.getKernelSize().clone(),
                conf.getStride().clone(),
                same ? new int[] {0, 0} : conf.getPadding().clone(),
                same);
    }

    private static boolean isPlainRelu(ActivationReLU relu) {
        return isZeroOrUnset(relu.getMax())
                && isZeroOrUnset(relu.getThreshold())
                && isZeroOrUnset(relu.getNegativeSlope());
    }

    private static boolean isZeroOrUnset(Double value) {
        return value == null || value == 0.0;
    }

    private static boolean isSame(String name, ConvolutionMode mode, int[] stride) {
        if (mode == ConvolutionMode.Same) {
            // DL4J and libnd4j agree on Same padding for stride 1; for larger strides their rounding may differ.
            if (stride[0] != 1 || stride[1] != 1) {
                throw new UnsupportedGraphException("layer '" + name + "' uses Same mode with stride "
                        + Arrays.toString(stride) + "; Same mode is supported only with stride 1");
            }
            return true;
        }
        if (mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict) {
            return false;
        }
        throw new UnsupportedGraphException("layer '" + name + "' uses convolution mode " + mode
                + "; only Same, Truncate and Strict are supported");
    }

    private static void requireNchw(String name, CNN2DFormat format) {
        if (format != CNN2DFormat.NCHW) {
            throw new UnsupportedGraphException("layer '" + name + "' uses " + format + "; only NCHW is supported");
        }
    }

    private static long outputSize(long in, int kernel, int stride, int padding, int dilation, boolean same) {
        if (same) {
            return (in + stride - 1) / stride;
        }
        long effectiveKernel = kernel + (long) (kernel - 1) * (dilation - 1);
        return (in - effectiveKernel + 2L * padding) / stride + 1;
    }

    /**
     * Runs the base on a batch.
     *
     * @param nchwBatch images as {@code [batch, channels, height, width]}, of the graph's data type and channel
     *                  count; any height and width the layers accept
     * @return a new array with the output of the last layer, not shared with this object
     * @throws IllegalArgumentException if the batch is not rank 4, has the wrong number of channels or data type,
     *                                  or is too small for the layers
     */
    @Override
    public INDArray features(INDArray nchwBatch) {
        Objects.requireNonNull(nchwBatch, "nchwBatch");
        long[] shape = nchwBatch.shape();
        Convolution first = firstConvolution();
        if (shape.length != RANK_NCHW || shape[CHANNEL_AXIS] != first.inChannels()) {
            throw new IllegalArgumentException(
                    "expected [batch, " + first.inChannels() + ", height, width], got " + Arrays.toString(shape));
        }
        if (nchwBatch.dataType() != first.weightsYxio().dataType()) {
            throw new IllegalArgumentException(
                    "expected " + first.weightsYxio().dataType() + " input, got " + nchwBatch.dataType());
        }
        // The buffers must outlive any workspace the caller has open, so they and the op calls stay outside.
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            long batch = shape[0];
            long perPass = imagesPerPass(shape, nchwBatch.dataType());
            if (batch <= perPass) {
                return pass(nchwBatch.isView() || nchwBatch.ordering() != 'c' ? nchwBatch.dup('c') : nchwBatch)
                        .dup();
            }
            long[] outputShape = activationShapes(shape).get(steps.size() - 1);
            INDArray result = Nd4j.createUninitialized(nchwBatch.dataType(), outputShape);
            for (long from = 0; from < batch; from += perPass) {
                INDArrayIndex[] images = {
                    NDArrayIndex.interval(from, Math.min(batch, from + perPass)),
                    NDArrayIndex.all(),
                    NDArrayIndex.all(),
                    NDArrayIndex.all()
                };
                result.get(images).assign(pass(nchwBatch.get(images).dup('c')));
            }
            return result;
        }
    }

    /** Runs every step on a contiguous batch that fits the buffers; the result is a view of one of them. */
    private INDArray pass(INDArray contiguous) {
        if (!Arrays.equals(contiguous.shape(), bufferedShape)) {
            prepare(contiguous.shape(), contiguous.dataType());
        }
        INDArray input = contiguous;
        for (int i = 0; i < steps.size(); i++) {
            steps.get(i).run(input, outputs.get(i));
            input = outputs.get(i);
        }
        return input;
    }

    private long imagesPerPass(long[] batchShape, org.nd4j.linalg.api.buffer.DataType dataType) {
        long[] oneImage = batchShape.clone();
        oneImage[0] = 1;
        long largest = 0;
        for (long[] shape : activationShapes(oneImage)) {
            largest = Math.max(largest, lengthOf(shape));
        }
        return Math.max(1, bufferBytes / (largest * dataType.width()));
    }

    private Convolution firstConvolution() {
        for (Step step : steps) {
            if (step instanceof Convolution convolution) {
                return convolution;
            }
        }
        throw new IllegalStateException("a base without convolutions has no input channel count");
    }

    /**
     * Points the step outputs at views of the ping-pong buffers for {@code inputShape}, growing the buffers only
     * when this shape needs more than they hold: a smaller batch (the last, partial one of a stream) reuses the
     * buffers of a bigger one instead of reallocating them.
     */
    private void prepare(long[] inputShape, org.nd4j.linalg.api.buffer.DataType dataType) {
        List<long[]> shapes = activationShapes(inputShape);
        long largest = 0;
        for (long[] shape : shapes) {
            largest = Math.max(largest, lengthOf(shape));
        }
        if (pingPong == null || pingPong[0].length() < largest || pingPong[0].dataType() != dataType) {
            outputs = List.of(); // let the old buffers go before the new ones are allocated
            pingPong = null;
            pingPong = new INDArray[] {
                Nd4j.createUninitialized(dataType, largest), Nd4j.createUninitialized(dataType, largest)
            };
        }
        List<INDArray> views = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            long[] stepShape = shapes.get(i);
            views.add(pingPong[i % 2]
                    .get(NDArrayIndex.interval(0, lengthOf(stepShape)))
                    .reshape('c', stepShape));
        }
        outputs = List.copyOf(views);
        bufferedShape = inputShape.clone();
    }

    /** The output shape of every step for {@code inputShape}. */
    private List<long[]> activationShapes(long[] inputShape) {
        List<long[]> shapes = new ArrayList<>();
        long[] shape = inputShape;
        for (Step step : steps) {
            shape = step.outputShape(shape);
            if (shape[HEIGHT_AXIS] < 1 || shape[WIDTH_AXIS] < 1) {
                throw new IllegalArgumentException("input " + Arrays.toString(inputShape) + " is too small: layer '"
                        + step.name() + "' would output " + Arrays.toString(shape));
            }
            shapes.add(shape);
        }
        return shapes;
    }

    private static long lengthOf(long[] shape) {
        long length = 1;
        for (long dimension : shape) {
            length *= dimension;
        }
        return length;
    }

    /**
     * Floating-point operations of the convolutions for one image of the given size, counted from the
     * architecture as {@code 2 * kH * kW * in * out * outHeight * outWidth} per convolution (bias, activation and
     * pooling are not counted, as in the usual VGG figures: 13.23 GFLOP at 150x150, 30.69 at 224x224).
     *
     * @param height input height in pixels
     * @param width  input width in pixels
     * @return the operation count
     * @throws IllegalArgumentException if the input is too small for the layers
     */
    public long flopsPerImage(long height, long width) {
        long[] shape = {1, firstConvolution().inChannels(), height, width};
        long flops = 0;
        for (Step step : steps) {
            long[] out = step.outputShape(shape);
            if (out[HEIGHT_AXIS] < 1 || out[WIDTH_AXIS] < 1) {
                throw new IllegalArgumentException(
                        height + "x" + width + " is too small for layer '" + step.name() + "'");
            }
            if (step instanceof Convolution c) {
                flops += 2L
                        * c.kernel()[0]
                        * c.kernel()[1]
                        * c.inChannels()
                        * c.outChannels()
                        * out[HEIGHT_AXIS]
                        * out[WIDTH_AXIS];
            }
            shape = out;
        }
        return flops;
    }

    /** Names of the layers this path runs, in order. */
    @Override
    public List<String> layerNames() {
        return steps.stream().map(Step::name).toList();
    }
}
