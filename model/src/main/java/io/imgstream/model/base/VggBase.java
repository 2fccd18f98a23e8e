package io.imgstream.model.base;

import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.weights.KerasWeightsFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The VGG16 and VGG19 convolutional bases ({@code include_top=false}) built in DL4J, with Keras's layer
 * names ({@code block1_conv1} … {@code block5_pool}) so that weights from a Keras or DL4J-zoo VGG can be
 * copied in by name. Channels first (NCHW); {@link PixelScaling#CAFFE_BGR} preprocessing, as Keras's
 * {@code vgg16.preprocess_input}. The bottleneck is {@code block5_pool}: 512 x 4 x 4 at 150x150 and
 * 512 x 7 x 7 at 224x224 (each of the five 2x2 poolings halves the size, rounding down).
 *
 * <p>The id is {@code vgg16} or {@code vgg19} plus the sha256 of the parameters as DL4J stores them
 * ({@link ComputationGraph#params()}, each a little-endian float32), so random and copied-in weights are
 * told apart.
 *
 * <p><strong>Cost:</strong> one VGG16 forward pass is 13.2 GFLOP per image at 150x150 and 30.7 at 224x224;
 * stock DL4J on two cores runs about 1.4 images/s at 150.
 *
 * <p>Immutable; the graph itself is not thread-safe.
 */
public final class VggBase extends AbstractBaseNetwork {

    /** Name of the input vertex, as in Keras. */
    public static final String INPUT = "input_1";
    /** The bottleneck layer, as in Keras. */
    public static final String BOTTLENECK = "block5_pool";

    private static final int CHANNELS = 3;
    private static final int KERNEL = 3;
    private static final int POOL = 2;
    private static final int BLOCKS = 5;
    private static final int MIN_INPUT = 32;

    /** Which VGG: filters per block are 64, 128, 256, 512, 512 for both; they differ in convolutions per block. */
    public enum Variant {
        /** 13 convolutions: 2, 2, 3, 3, 3 per block. */
        VGG16("vgg16", new int[] {2, 2, 3, 3, 3}),
        /** 16 convolutions: 2, 2, 4, 4, 4 per block. */
        VGG19("vgg19", new int[] {2, 2, 4, 4, 4});

        private static final int[] FILTERS = {64, 128, 256, 512, 512};

        private final String baseName;
        private final int[] convolutionsPerBlock;

        Variant(String baseName, int[] convolutionsPerBlock) {
            this.baseName = baseName;
            this.convolutionsPerBlock = convolutionsPerBlock;
        }

        /** The id name, {@code vgg16} or {@code vgg19}. */
        public String baseName() {
            return baseName;
        }

        /** Keras names of the convolution layers, in order. */
        public List<String> convolutionLayers() {
            List<String> names = new ArrayList<>();
            for (int block = 1; block <= BLOCKS; block++) {
                for (int conv = 1; conv <= convolutionsPerBlock[block - 1]; conv++) {
                    names.add(convName(block, conv));
                }
            }
            return names;
        }
    }

    private static final String KERAS_KERNEL = "kernel";
    private static final String KERAS_BIAS = "bias";

    private final Variant variant;

    private VggBase(Variant variant, Preprocessing preprocessing, ComputationGraph graph) {
        super(
                BaseModelId.ofParameters(variant.baseName(), graph.params()),
                preprocessing,
                graph,
                BOTTLENECK,
                featureShape(preprocessing));
        this.variant = variant;
    }

    /**
     * A base with random weights (Glorot uniform, zero biases, as Keras initialises them), for
     * architecture, shape and speed work, or to be trained or filled by {@link #withWeightsFrom}.
     *
     * @param variant which VGG
     * @param height  input height in pixels, at least 32 (five 2x2 poolings)
     * @param width   input width in pixels, at least 32
     * @param seed    seed of the weight initialisation; the same seed gives the same weights and id
     * @throws IllegalArgumentException if the input is smaller than 32x32
     */
    public static VggBase random(Variant variant, int height, int width, long seed) {
        Objects.requireNonNull(variant, "variant");
        if (height < MIN_INPUT || width < MIN_INPUT) {
            throw new IllegalArgumentException(variant.baseName() + " needs at least " + MIN_INPUT + "x" + MIN_INPUT
                    + " input, got " + height + "x" + width);
        }
        ComputationGraph graph = new ComputationGraph(configuration(variant, height, width, seed));
        graph.init();
        return new VggBase(
                variant,
                new Preprocessing(height, width, CHANNELS, PixelScaling.CAFFE_BGR, ResizePolicy.SQUASH),
                graph);
    }

    /**
     * A base of the same variant and size whose weights are copied, layer by layer by name, from another
     * network with Keras's VGG layer names: a Keras VGG16/VGG19 imported from {@code .h5}, the DL4J zoo
     * VGG16, or another {@code VggBase}. Convolution weights in DL4J have the same layout whatever the
     * source's data format, so an NHWC import fills this NCHW base directly.
     *
     * @param source a network with every convolution layer of this variant, with matching shapes
     * @return a new base; this one is not changed
     * @throws IllegalArgumentException if a layer is missing or its parameters have another shape
     */
    public VggBase withWeightsFrom(ComputationGraph source) {
        Objects.requireNonNull(source, "source");
        ComputationGraph copy = graph().clone();
        for (String layer : variant.convolutionLayers()) {
            if (!source.getConfiguration().getVertices().containsKey(layer)) {
                throw new IllegalArgumentException("the source network has no layer '" + layer + "' to copy "
                        + variant.baseName() + " weights from");
            }
            INDArray from = source.getLayer(layer).params();
            INDArray to = copy.getLayer(layer).params();
            if (!Arrays.equals(from.shape(), to.shape())) {
                throw new IllegalArgumentException(
                        "layer '" + layer + "' has parameters " + Arrays.toString(from.shape()) + " in the source but "
                                + Arrays.toString(to.shape()) + " in " + variant.baseName());
            }
            copy.getLayer(layer).setParams(from.castTo(to.dataType()));
        }
        return new VggBase(variant, preprocessing(), copy);
    }

    /**
     * A base of the same variant and size filled from a Keras weights file ({@code save_weights}, such as the
     * Keras applications' {@code vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5}), layer by layer by name.
     * Keras convolution kernels are {@code [kH, kW, in, out]}; DL4J's are {@code [out, in, kH, kW]}. Both compute
     * a cross-correlation, so the kernel is permuted, never flipped.
     *
     * @return a new base; this one is not changed
     * @throws IllegalArgumentException if a layer or array is missing or has another shape
     */
    public VggBase withKerasWeights(KerasWeightsFile weights) {
        Objects.requireNonNull(weights, "weights");
        ComputationGraph copy = graph().clone();
        for (String layer : variant.convolutionLayers()) {
            Map<String, INDArray> arrays = weights.layer(layer);
            INDArray kernel = requireArray(weights, layer, arrays, KERAS_KERNEL);
            INDArray bias = requireArray(weights, layer, arrays, KERAS_BIAS);
            INDArray to = copy.getLayer(layer).getParam(DefaultParamInitializer.WEIGHT_KEY);
            INDArray converted = kernel.rank() == 4 ? kernel.permute(3, 2, 0, 1) : kernel;
            if (!Arrays.equals(converted.shape(), to.shape())) {
                throw new IllegalArgumentException("layer '" + layer + "' has a kernel of "
                        + Arrays.toString(kernel.shape()) + " in " + weights.source() + "; " + variant.baseName()
                        + " needs " + Arrays.toString(to.shape()) + " (as [out, in, kH, kW])");
            }
            INDArray toBias = copy.getLayer(layer).getParam(DefaultParamInitializer.BIAS_KEY);
            if (bias.length() != toBias.length()) {
                throw new IllegalArgumentException("layer '" + layer + "' has " + bias.length() + " biases in "
                        + weights.source() + "; " + variant.baseName() + " needs " + toBias.length());
            }
            copy.getLayer(layer)
                    .setParam(
                            DefaultParamInitializer.WEIGHT_KEY,
                            converted.castTo(to.dataType()).dup('c'));
            copy.getLayer(layer)
                    .setParam(
                            DefaultParamInitializer.BIAS_KEY,
                            bias.castTo(toBias.dataType()).reshape(toBias.shape()));
        }
        return new VggBase(variant, preprocessing(), copy);
    }

    private static INDArray requireArray(
            KerasWeightsFile weights, String layer, Map<String, INDArray> arrays, String name) {
        INDArray array = arrays.get(name);
        if (array == null) {
            throw new IllegalArgumentException("layer '" + layer + "' in " + weights.source() + " has no '" + name
                    + "' array (it has " + arrays.keySet() + ")");
        }
        return array;
    }

    private static ComputationGraphConfiguration configuration(Variant variant, int height, int width, long seed) {
        ComputationGraphConfiguration.GraphBuilder builder = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(height, width, CHANNELS));
        String previous = INPUT;
        for (int block = 1; block <= BLOCKS; block++) {
            for (int conv = 1; conv <= variant.convolutionsPerBlock[block - 1]; conv++) {
                String name = convName(block, conv);
                builder.addLayer(
                        name,
                        new ConvolutionLayer.Builder(KERNEL, KERNEL)
                                .nOut(Variant.FILTERS[block - 1])
                                .activation(Activation.RELU)
                                .build(),
                        previous);
                previous = name;
            }
            String pool = "block" + block + "_pool";
            // Truncate mode floors odd sizes as Keras's default "valid" pooling does: 150 -> 75 -> 37 -> 18 -> 9 -> 4.
            builder.addLayer(
                    pool,
                    new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                            .kernelSize(POOL, POOL)
                            .stride(POOL, POOL)
                            .convolutionMode(ConvolutionMode.Truncate)
                            .build(),
                    previous);
            previous = pool;
        }
        return builder.setOutputs(BOTTLENECK).build();
    }

    private static String convName(int block, int conv) {
        return "block" + block + "_conv" + conv;
    }

    /** Which VGG this is. */
    public Variant variant() {
        return variant;
    }

    private static long[] featureShape(Preprocessing preprocessing) {
        long height = preprocessing.height();
        long width = preprocessing.width();
        for (int block = 0; block < BLOCKS; block++) {
            height /= POOL;
            width /= POOL;
        }
        return new long[] {Variant.FILTERS[BLOCKS - 1], height, width};
    }

    @Override
    public String toString() {
        return "VggBase[" + id() + ", " + preprocessing().height() + "x"
                + preprocessing().width() + "]";
    }
}
