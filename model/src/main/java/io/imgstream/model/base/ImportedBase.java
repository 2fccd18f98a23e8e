package io.imgstream.model.base;

import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.weights.LoadedNetwork;
import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A base made from a pretrained network that a {@link io.imgstream.model.weights.WeightSource} loaded
 * (Keras {@code .h5}, TF.js, nsfwjs, DL4J zip or zoo), cut at a named layer so the classifier top is
 * dropped: every vertex the bottleneck layer does not depend on is removed and the bottleneck becomes the
 * only output.
 *
 * <p>The id is the given name plus the sha256 of the <em>source</em> weight bytes ({@link
 * LoadedNetwork#weightsSha256()}), so the same file always gives the same id. Two cuts of the same weights
 * at different layers compute different features: give them different names (e.g. {@code
 * mobilenet_v2.out_relu}) so feature caches keep them apart.
 *
 * <p>Preprocessing is whatever the network was trained with and is the caller's to state: the Keras
 * applications MobileNet, MobileNetV2, InceptionV3 and Xception use {@link
 * io.imgstream.model.preprocess.PixelScaling#TF} ([-1, 1]); VGG and ResNet50 use {@link
 * io.imgstream.model.preprocess.PixelScaling#CAFFE_BGR}; nsfwjs models use {@link
 * io.imgstream.model.preprocess.PixelScaling#UNIT} ([0, 1]), because nsfwjs divides by 255.
 *
 * <p>Immutable; the graph itself is not thread-safe.
 */
public final class ImportedBase extends AbstractBaseNetwork {

    private final CNN2DFormat dataFormat;

    private ImportedBase(
            BaseModelId id,
            Preprocessing preprocessing,
            ComputationGraph graph,
            String bottleneckLayer,
            CNN2DFormat dataFormat,
            long[] featureShape) {
        super(id, preprocessing, graph, bottleneckLayer, featureShape);
        this.dataFormat = dataFormat;
    }

    /**
     * Cuts a loaded network at a layer. The loaded graph is not changed; the base holds its own copy. Runs
     * one zero image through the cut graph to learn the feature shape.
     *
     * @param name            base name for the id: lowercase letters, digits, '.', '_' or '-'
     * @param network         a single-input network as a weight source loaded it
     * @param bottleneckLayer the layer or vertex whose activations become the features
     * @param dataFormat      the graph's image layout: {@link CNN2DFormat#NHWC} for Keras and TF.js imports
     * @param preprocessing   what the network was trained with
     * @throws IllegalArgumentException if the network has no such vertex, more than one input, or the name is invalid
     */
    public static ImportedBase cut(
            String name,
            LoadedNetwork network,
            String bottleneckLayer,
            CNN2DFormat dataFormat,
            Preprocessing preprocessing) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(dataFormat, "dataFormat");
        Objects.requireNonNull(preprocessing, "preprocessing");
        BaseModelId id = new BaseModelId(name, network.weightsSha256());
        ComputationGraphConfiguration configuration = network.graph().getConfiguration();
        if (configuration.getNetworkInputs().size() != 1) {
            throw new IllegalArgumentException(network.source() + " has inputs " + configuration.getNetworkInputs()
                    + "; a base takes exactly one image input");
        }
        ComputationGraph cut;
        try {
            cut = GraphCut.at(network.graph(), bottleneckLayer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(network.source() + ": " + e.getMessage(), e);
        }
        ImportedBase probeless = new ImportedBase(id, preprocessing, cut, bottleneckLayer, dataFormat, new long[0]);
        long[] outputShape = probeless
                .features(Nd4j.zeros(DataType.FLOAT, preprocessing.batchShape(1)))
                .shape();
        return new ImportedBase(
                id,
                preprocessing,
                cut,
                bottleneckLayer,
                dataFormat,
                Arrays.copyOfRange(outputShape, 1, outputShape.length));
    }

    @Override
    public CNN2DFormat dataFormat() {
        return dataFormat;
    }

    @Override
    public String toString() {
        return "ImportedBase[" + id() + " at " + bottleneckLayer() + ", " + dataFormat + ", features "
                + Arrays.toString(featureShape()) + "]";
    }
}
