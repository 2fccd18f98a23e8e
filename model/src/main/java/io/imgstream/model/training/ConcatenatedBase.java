package io.imgstream.model.training;

import io.imgstream.model.base.AbstractBaseNetwork;
import io.imgstream.model.base.BaseModelId;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.MergeAxes;
import io.imgstream.model.head.HeadPooling;
import io.imgstream.model.preprocess.Preprocessing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.apache.commons.codec.digest.DigestUtils;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Several pretrained bases as one: the Keras recipe's "several bases concatenated". One channels-first input at one
 * size feeds a branch per base (its vertices copied in under the prefix {@code b0/}, {@code b1/}, ..., with their
 * weights); each branch's features become a vector as a head would make them ({@link HeadPooling#forFeatures}:
 * flattened up to VGG16's 512x7x7, averaged per channel beyond), and the vectors are concatenated into the
 * bottleneck {@value #BOTTLENECK}. A head trained on that vector stacks on this graph like on any other base, so a
 * bundle of several bases is still one network with one input, scored and explained like any other.
 *
 * <p><strong>Input:</strong> the first base's preprocessing (size, channels, resize policy, scaling), at another
 * size if asked. A base whose scaling differs gets a fixed 1x1 convolution at the start of its branch that turns the
 * first base's scaling into its own ({@link ScalingConversion}: VGG's BGR mean subtraction from MobileNet's
 * [-1, 1], say), so every base sees the input it was trained with. Every base runs at the shared size: imported
 * bases whose graph fixes its size (a flatten before the cut) refuse other sizes, and are named when they do.
 *
 * <p><strong>Id:</strong> {@link #id()} is {@code concatenated@} the sha256 of every base's id in order and the input
 * size, so features cached for it are never mistaken for one base's; {@link #modelId()}, what bundles record, names
 * every base: their ids joined with {@value #ID_SEPARATOR}.
 *
 * <p>Immutable; the graph itself is not thread-safe.
 */
public final class ConcatenatedBase extends AbstractBaseNetwork {

    /** The graph's channels-first image input. */
    public static final String INPUT = "input";
    /** The concatenation of every branch's vector. */
    public static final String MERGE = "bases_merge";
    /**
     * The bottleneck: an identity layer after {@link #MERGE}, so that the features are a layer's activations, as
     * {@link FineTuner#assemble} wants the first layer it leaves trainable to be.
     */
    public static final String BOTTLENECK = "bases_features";
    /** Between the bases' ids in {@link #modelId()}. */
    public static final String ID_SEPARATOR = "+";

    private static final String NAME = "concatenated";
    private static final String SCALING = "scaling";
    private static final String TO_CHANNELS_LAST = "to_nhwc";
    private static final String TO_CHANNELS_FIRST = "to_nchw";
    private static final String VECTOR = "vector";
    private static final int MAP_RANK = 3;

    private final List<BaseNetwork> bases;
    private final String modelId;

    private ConcatenatedBase(
            BaseModelId id,
            Preprocessing preprocessing,
            ComputationGraph graph,
            long[] featureShape,
            List<BaseNetwork> bases,
            String modelId) {
        super(id, preprocessing, graph, BOTTLENECK, featureShape);
        this.bases = bases;
        this.modelId = modelId;
    }

    /**
     * Concatenates bases. The bases are not changed; the result holds copies of their weights.
     *
     * @param bases     two or more bases, in the order their features are concatenated
     * @param inputSize the shared input height and width; empty for the first base's
     * @return the combined base
     * @throws IllegalArgumentException if there are fewer than two bases, one is named twice, their channel counts
     *                                  differ, or a base does not take images of the shared size
     */
    public static ConcatenatedBase of(List<? extends BaseNetwork> bases, OptionalInt inputSize) {
        List<BaseNetwork> parts = List.copyOf(Objects.requireNonNull(bases, "bases"));
        if (parts.size() < 2) {
            throw new IllegalArgumentException("concatenating needs two or more bases, got " + parts.size());
        }
        Objects.requireNonNull(inputSize, "inputSize");
        Preprocessing first = parts.get(0).preprocessing();
        int size = inputSize.orElse(first.height());
        Preprocessing shared = inputSize.isPresent()
                ? new Preprocessing(size, size, first.channels(), first.scaling(), first.resize())
                : first;
        List<String> ids = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (BaseNetwork base : parts) {
            if (ids.contains(base.id().toString())) {
                throw new IllegalArgumentException("base " + base.id() + " is named twice; concatenate distinct bases");
            }
            ids.add(base.id().toString());
            if (base.preprocessing().channels() != shared.channels()) {
                throw new IllegalArgumentException(
                        "base " + base.id() + " takes " + base.preprocessing().channels()
                                + "-channel images, " + parts.get(0).id() + " " + shared.channels()
                                + "; concatenated bases must take the same channels");
            }
            shapes.add(featureShapeAt(base, shared));
        }
        String modelId = String.join(ID_SEPARATOR, ids);
        ComputationGraph graph = graph(parts, shapes, shared);
        long length = 0;
        for (long[] shape : shapes) {
            length += vectorLength(shape);
        }
        BaseModelId id = new BaseModelId(
                NAME,
                DigestUtils.sha256Hex(
                        (modelId + "\n" + shared.height() + "x" + shared.width()).getBytes(StandardCharsets.UTF_8)));
        return new ConcatenatedBase(id, shared, graph, new long[] {length}, parts, modelId);
    }

    /** The bases, in the order their features are concatenated. */
    public List<BaseNetwork> bases() {
        return bases;
    }

    /** Every base's id, joined with {@value #ID_SEPARATOR}, in order. */
    @Override
    public String modelId() {
        return modelId;
    }

    /** The prefix of the vertices of the base at {@code index} in {@link #graph()}: {@code b0/}, {@code b1/}, ... */
    public static String prefix(int index) {
        return "b" + index + "/";
    }

    /**
     * The vertices of a graph built here whose activations are each branch's channels-first feature map, the one
     * its feature vector is pooled or flattened from, in branch order; a branch whose features are already a vector
     * has none. Empty for a graph that is not several bases concatenated.
     *
     * @param network a network, a bundle's say, whose first vertices may be a graph of this class
     * @return the feature maps' vertex names
     */
    public static List<String> featureMaps(ComputationGraph network) {
        Map<String, List<String>> inputs = network.getConfiguration().getVertexInputs();
        List<String> vectors = inputs.get(MERGE);
        if (vectors == null) {
            return List.of();
        }
        return vectors.stream()
                .filter(vector -> vector.endsWith("/" + VECTOR))
                .map(vector -> inputs.get(vector).get(0))
                .toList();
    }

    private static long[] featureShapeAt(BaseNetwork base, Preprocessing shared) {
        Preprocessing own = new Preprocessing(
                shared.height(),
                shared.width(),
                shared.channels(),
                base.preprocessing().scaling(),
                shared.resize());
        try (INDArray probe = Nd4j.zeros(DataType.FLOAT, own.batchShape(1))) {
            long[] shape = base.features(probe).shape();
            return Arrays.copyOfRange(shape, 1, shape.length);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "base " + base.id() + " does not take " + shared.height() + "x"
                            + shared.width() + " images (its own size is "
                            + base.preprocessing().height() + "x"
                            + base.preprocessing().width() + "): " + e.getMessage(),
                    e);
        }
    }

    private static long vectorLength(long[] shape) {
        return shape.length == MAP_RANK && HeadPooling.forFeatures(shape) == HeadPooling.GLOBAL_AVERAGE
                ? shape[0]
                : Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    private static ComputationGraph graph(List<BaseNetwork> bases, List<long[]> shapes, Preprocessing shared) {
        ComputationGraphConfiguration.GraphBuilder builder =
                new NeuralNetConfiguration.Builder().graphBuilder().addInputs(INPUT);
        List<String> vectors = new ArrayList<>();
        for (int b = 0; b < bases.size(); b++) {
            vectors.add(addBranch(builder, b, bases.get(b), shapes.get(b), shared));
        }
        builder.addVertex(MERGE, new MergeVertex(), vectors.toArray(String[]::new))
                .addLayer(
                        BOTTLENECK,
                        new ActivationLayer.Builder()
                                .activation(Activation.IDENTITY)
                                .build(),
                        MERGE)
                .setOutputs(BOTTLENECK);
        ComputationGraph graph = new ComputationGraph(builder.build());
        graph.init();
        for (int b = 0; b < bases.size(); b++) {
            BaseNetwork base = bases.get(b);
            // By vertex name, as the copies were named: a wrapped layer (a frozen one) may carry another name.
            for (org.deeplearning4j.nn.graph.vertex.GraphVertex vertex :
                    base.graph().getVertices()) {
                if (vertex.hasLayer() && vertex.getLayer().numParams() > 0) {
                    graph.getLayer(prefix(b) + vertex.getVertexName())
                            .setParams(vertex.getLayer().params().dup());
                }
            }
            if (base.preprocessing().scaling() != shared.scaling()) {
                ScalingConversion conversion = ScalingConversion.between(
                        shared.scaling(), base.preprocessing().scaling(), shared.channels());
                Layer scaling = graph.getLayer(prefix(b) + SCALING);
                int channels = shared.channels();
                INDArray weights = Nd4j.create(conversion.weights()).reshape(channels, channels, 1, 1);
                scaling.setParam("W", weights.castTo(scaling.getParam("W").dataType()));
                scaling.getParam("b")
                        .assign(Nd4j.create(conversion.biases())
                                .reshape(scaling.getParam("b").shape()));
            }
        }
        for (int b = 0; b < bases.size(); b++) {
            String prefix = prefix(b);
            graph = MergeAxes.restore(bases.get(b).graph().getConfiguration(), graph, name -> prefix + name);
        }
        return graph;
    }

    /** Adds one base's branch and returns the vertex of its feature vector. */
    private static String addBranch(
            ComputationGraphConfiguration.GraphBuilder builder,
            int index,
            BaseNetwork base,
            long[] shape,
            Preprocessing shared) {
        String prefix = prefix(index);
        String entry = INPUT;
        if (base.preprocessing().scaling() != shared.scaling()) {
            builder.addLayer(
                    prefix + SCALING,
                    new ConvolutionLayer.Builder(1, 1)
                            .nIn(shared.channels())
                            .nOut(shared.channels())
                            .activation(Activation.IDENTITY)
                            .dataFormat(CNN2DFormat.NCHW)
                            .build(),
                    entry);
            entry = prefix + SCALING;
        }
        boolean channelsLast = base.dataFormat() == CNN2DFormat.NHWC;
        if (channelsLast) {
            builder.addVertex(prefix + TO_CHANNELS_LAST, new PreprocessorVertex(new ChannelOrder(true)), entry);
            entry = prefix + TO_CHANNELS_LAST;
        }
        // On a copy: the vertices' layers are renamed, and the base's graph must stay as it is.
        ComputationGraphConfiguration configuration =
                base.graph().getConfiguration().clone();
        String baseInput = configuration.getNetworkInputs().get(0);
        for (var vertex : configuration.getVertices().entrySet()) {
            GraphVertex copy = vertex.getValue();
            if (copy instanceof LayerVertex layerVertex) {
                layerVertex.getLayerConf().getLayer().setLayerName(prefix + vertex.getKey());
            }
            String inputPrefix = prefix;
            String branchEntry = entry;
            String[] inputs = configuration.getVertexInputs().get(vertex.getKey()).stream()
                    .map(input -> input.equals(baseInput) ? branchEntry : inputPrefix + input)
                    .toArray(String[]::new);
            builder.addVertex(prefix + vertex.getKey(), copy, inputs);
        }
        String features = prefix + base.bottleneckLayer();
        if (channelsLast) {
            builder.addVertex(prefix + TO_CHANNELS_FIRST, new PreprocessorVertex(new ChannelOrder(false)), features);
            features = prefix + TO_CHANNELS_FIRST;
        }
        if (shape.length != MAP_RANK) {
            return features;
        }
        String vector = prefix + VECTOR;
        if (HeadPooling.forFeatures(shape) == HeadPooling.GLOBAL_AVERAGE) {
            builder.addLayer(vector, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), features);
        } else {
            builder.addVertex(
                    vector,
                    new PreprocessorVertex(new CnnToFeedForwardPreProcessor(shape[1], shape[2], shape[0])),
                    features);
        }
        return vector;
    }

    @Override
    public String toString() {
        return "ConcatenatedBase[" + bases.stream().map(b -> b.id().toString()).collect(Collectors.joining(", "))
                + " at " + preprocessing().height() + "x" + preprocessing().width() + ", features "
                + Arrays.toString(featureShape()) + "]";
    }
}
