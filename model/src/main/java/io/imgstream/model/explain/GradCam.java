package io.imgstream.model.explain;

import io.imgstream.model.base.MergeAxes;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.ConcatenatedBase;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Grad-CAM (Selvaraju et al., 2017): for one image and one class, weighs each channel {@code k} of a
 * convolution layer's activations {@code A} by the spatial mean of the gradient of the class score
 * {@code y} with respect to them, {@code alpha_k = mean_ij dy/dA_kij}, and keeps the positive part of
 * {@code sum_k alpha_k A_k}. The score is the output layer's pre-activation (logit) for the class, as
 * the paper asks, not the softmax probability, whose gradient also depends on every other class; for
 * a one-unit sigmoid head the score of class 0 is the negated logit.
 *
 * <p>How: one inference-mode forward pass stores every vertex's input; the gradient of the logit with
 * respect to the output layer's input is its weight column, and DL4J's per-vertex backward pass
 * carries it down to the chosen layer. Exactly one path must lead from the layer to the output, as in
 * VGG-style bases with a head, or in one branch of several concatenated bases; a layer whose activations
 * reach the output along several paths (inside a residual block) is refused. The map is bilinearly
 * upsampled onto the image (inside the centred crop for {@link ResizePolicy#CENTER_CROP}, 0 outside) and
 * normalised to {@code [0, 1]} by its maximum.
 *
 * <p>Several layers (one per base of a concatenated bundle) make one map: each layer's {@code sum_k alpha_k
 * A_k} is, to first order, how much each of its cells adds to the logit, so each is spread over the pixels
 * its cells cover (multiplied by its number of cells before upsampling) and the maps are added before the
 * positive part is kept. A base whose evidence is against the class then cancels another's for it, as it does
 * in the logit.
 *
 * <p>Works on a copy of the network (with workspaces off, so stored activations stay valid), so the
 * given network is never changed; the copy costs one set of parameters per call. Thread-safe as long
 * as no other thread trains the network meanwhile. Channels-first (NCHW) activations only.
 */
public final class GradCam {

    private final Preprocessing preprocessing;

    /**
     * Creates an explainer.
     *
     * @param preprocessing how images become the network's input
     */
    public GradCam(Preprocessing preprocessing) {
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
    }

    /**
     * The layers Grad-CAM looks at unless told otherwise. For one base: the last convolution layer in topological
     * order, the one nearest the head, when it is channels-first. A channels-last base's convolutions have {@code
     * [1, height, width, channels]} activations the map can't be read from; its bundle's bottleneck, the base's
     * output turned channels first, is the layer then. For several concatenated bases ({@link ConcatenatedBase}):
     * the same choice in each base's branch, the branch's feature map standing in for the bottleneck; a branch
     * whose features are already a vector has no map and is left out.
     *
     * @param network    the bundle's network
     * @param bottleneck the bundle's bottleneck layer, if it names one
     * @return the layers' names, empty if the network has no convolution layer, or only channels-last ones and no
     *     bottleneck
     */
    public static List<String> defaultLayers(ComputationGraph network, Optional<String> bottleneck) {
        List<String> branchMaps = ConcatenatedBase.featureMaps(network);
        if (!branchMaps.isEmpty()) {
            List<String> layers = new ArrayList<>();
            for (String map : branchMaps) {
                String prefix = map.substring(0, map.indexOf('/') + 1);
                lastConvolution(network, prefix, Optional.of(map)).ifPresent(layers::add);
            }
            return List.copyOf(layers);
        }
        return lastConvolution(network, "", bottleneck).map(List::of).orElse(List.of());
    }

    private static Optional<String> lastConvolution(
            ComputationGraph network, String prefix, Optional<String> channelsFirstFeatures) {
        GraphVertex[] vertices = network.getVertices();
        int[] order = network.topologicalSortOrder();
        for (int i = order.length - 1; i >= 0; i--) {
            GraphVertex vertex = vertices[order[i]];
            if (vertex.getVertexName().startsWith(prefix)
                    && vertex.hasLayer()
                    && vertex.getLayer().conf().getLayer() instanceof ConvolutionLayer convolution) {
                return convolution.getCnn2dDataFormat() == CNN2DFormat.NHWC
                        ? channelsFirstFeatures
                        : Optional.of(vertex.getVertexName());
            }
        }
        return Optional.empty();
    }

    /**
     * Explains the network's most probable class for an image.
     *
     * @param network a single-input, single-output classifier ending in a dense output layer
     * @param image   the image, any size
     * @param layers  names of convolution (or pooling) layers with 4-d activations, one or more
     * @return the heatmap of the image's size
     */
    public Heatmap explain(ComputationGraph network, BufferedImage image, List<String> layers) {
        return explain(network, image, layers, -1);
    }

    /**
     * Explains one class for an image.
     *
     * @param network    a single-input, single-output classifier ending in a dense output layer
     * @param image      the image, any size
     * @param layers     names of convolution (or pooling) layers with 4-d activations, one or more
     * @param classIndex the class to explain, or -1 for the most probable one
     * @return the heatmap of the image's size
     * @throws IllegalArgumentException if a layer is unknown or not 4-d, does not reach the output along exactly
     *                                  one path, or the class is out of range
     */
    public Heatmap explain(ComputationGraph network, BufferedImage image, List<String> layers, int classIndex) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(image, "image");
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("Grad-CAM needs at least one layer");
        }
        ComputationGraph copy = MergeAxes.restore(network, network.clone());
        // The layers' backward passes below write into the gradient views, which a restored copy has not made yet.
        copy.initGradientsView();
        copy.getConfiguration().setTrainingWorkspaceMode(WorkspaceMode.NONE);
        copy.getConfiguration().setInferenceWorkspaceMode(WorkspaceMode.NONE);
        ComputationGraphConfiguration configuration = copy.getConfiguration();
        for (String layer : layers) {
            if (!configuration.getVertices().containsKey(layer)) {
                throw new IllegalArgumentException("the network has no layer '" + layer + "'");
            }
        }
        String outputName = configuration.getNetworkOutputs().get(0);
        INDArray input = preprocessing.toBatch(List.of(image));
        Map<String, INDArray> activations = copy.feedForward(new INDArray[] {input}, false, false);

        Layer output = copy.getOutputLayer(0);
        if (!(output.conf().getLayer() instanceof BaseOutputLayer)) {
            throw new IllegalArgumentException("the network must end in a dense output layer, not "
                    + output.conf().getLayer());
        }
        int classes = ClassOutputs.classesFor(output.getParam("W").size(1));
        float[] probabilities = ClassOutputs.probabilities(activations.get(outputName), classes)[0];
        int target = classIndex < 0 ? ClassOutputs.argMax(probabilities) : Objects.checkIndex(classIndex, classes);
        INDArray outputEpsilon = logitGradient(output.getParam("W"), target, classes);
        outputEpsilon = throughPreprocessor(copy.getVertex(outputName), outputEpsilon);

        float[] map = new float[image.getWidth() * image.getHeight()];
        for (String layer : layers) {
            INDArray layerActivations = activations.get(layer);
            if (layerActivations == null || layerActivations.rank() != 4) {
                throw new IllegalArgumentException(
                        "layer '" + layer + "' must have [1, channels, height, width] activations");
            }
            INDArray gradient = backpropagate(copy, pathFromOutput(configuration, outputName, layer), outputEpsilon);
            float[][] cells = weightedActivations(layerActivations, gradient);
            float[] spread = upsample(cells, image.getWidth(), image.getHeight());
            int cellCount = cells.length * cells[0].length;
            for (int i = 0; i < map.length; i++) {
                map[i] += spread[i] * cellCount;
            }
        }
        return new Heatmap(
                image.getWidth(), image.getHeight(), positiveNormalised(map), target, probabilities[target], layers);
    }

    /**
     * The vertices from the output down to the layer, both included.
     *
     * @throws IllegalArgumentException if the layer reaches the output along no path, or along several
     */
    private static List<String> pathFromOutput(
            ComputationGraphConfiguration configuration, String output, String layer) {
        Map<String, Long> paths = new HashMap<>();
        long count = pathsDown(configuration, output, layer, paths);
        if (count != 1) {
            throw new IllegalArgumentException("Grad-CAM needs exactly one path from '" + layer
                    + "' to the output, but there " + (count == 0 ? "is none" : "are " + count));
        }
        List<String> path = new ArrayList<>();
        String current = output;
        path.add(current);
        while (!current.equals(layer)) {
            current = configuration.getVertexInputs().get(current).stream()
                    .filter(input -> input.equals(layer) || paths.getOrDefault(input, 0L) > 0)
                    .findFirst()
                    .orElseThrow();
            path.add(current);
        }
        return path;
    }

    /** How many paths lead from {@code vertex} down to {@code layer}, memoised in {@code paths}. */
    private static long pathsDown(
            ComputationGraphConfiguration configuration, String vertex, String layer, Map<String, Long> paths) {
        if (vertex.equals(layer)) {
            return 1;
        }
        Long known = paths.get(vertex);
        if (known != null) {
            return known;
        }
        long count = 0;
        for (String input : configuration.getVertexInputs().getOrDefault(vertex, List.of())) {
            count += pathsDown(configuration, input, layer, paths);
        }
        paths.put(vertex, count);
        return count;
    }

    /**
     * Carries the gradient with respect to the output layer's input down the path to the gradient with respect to
     * the last vertex's activations.
     */
    private static INDArray backpropagate(ComputationGraph network, List<String> path, INDArray outputEpsilon) {
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        ComputationGraphConfiguration configuration = network.getConfiguration();
        INDArray epsilon = outputEpsilon;
        for (int i = 1; i < path.size() - 1; i++) {
            GraphVertex vertex = network.getVertex(path.get(i));
            if (isDropout(vertex)) {
                // Inference-mode dropout is the identity; DL4J's dropout backward pass insists on a training mask.
                epsilon = throughPreprocessor(vertex, epsilon);
            } else if (isBatchNormalization(vertex)) {
                // DL4J's batch normalisation backward pass is the training one, through batch statistics an
                // inference pass never computed (it gives zeros); in inference it is a fixed affine map.
                epsilon = batchNormalizationGradient(vertex.getLayer(), epsilon);
            } else if (vertex.hasLayer() && vertex.getLayer() instanceof FrozenLayer frozen) {
                // A frozen layer passes no gradient back (training stops there); the layer inside it does.
                epsilon = throughPreprocessor(
                        vertex,
                        frozen.getInsideLayer()
                                .backpropGradient(epsilon, noWorkspaces)
                                .getSecond());
            } else {
                vertex.setEpsilon(epsilon);
                INDArray[] inputEpsilons =
                        vertex.doBackward(false, noWorkspaces).getSecond();
                int next = configuration.getVertexInputs().get(path.get(i)).indexOf(path.get(i + 1));
                epsilon = inputEpsilons[next];
            }
        }
        return epsilon;
    }

    /** The gradient with respect to a layer vertex's input, given the one with respect to its layer's input. */
    private static INDArray throughPreprocessor(GraphVertex vertex, INDArray epsilon) {
        InputPreProcessor preprocessor = ((LayerVertex) vertex).getLayerPreProcessor();
        return preprocessor == null ? epsilon : preprocessor.backprop(epsilon, 1, LayerWorkspaceMgr.noWorkspaces());
    }

    /** d(logit of target)/d(output layer input): the weight column; a sigmoid head's class 0 uses the negated logit. */
    private static INDArray logitGradient(INDArray weights, int target, int classes) {
        INDArray column =
                weights.get(NDArrayIndex.all(), NDArrayIndex.point(ClassOutputs.units(classes) == 1 ? 0 : target));
        INDArray row = column.reshape(1, column.length()).castTo(DataType.FLOAT).dup();
        return ClassOutputs.units(classes) == 1 && target == 0 ? row.negi() : row;
    }

    private static boolean isBatchNormalization(GraphVertex vertex) {
        return vertex.hasLayer() && vertex.getLayer().conf().getLayer() instanceof BatchNormalization;
    }

    /** d(gamma * (x - mean) / std + beta)/dx = gamma / std, per feature (channel). */
    private static INDArray batchNormalizationGradient(Layer layer, INDArray epsilon) {
        BatchNormalization conf = (BatchNormalization) layer.conf().getLayer();
        INDArray std = conf.isUseLogStd()
                ? Transforms.exp(layer.getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)
                        .castTo(DataType.FLOAT)
                        .mul(Math.log(10)))
                : Transforms.sqrt(layer.getParam(BatchNormalizationParamInitializer.GLOBAL_VAR)
                        .castTo(DataType.FLOAT)
                        .add(conf.getEps()));
        INDArray gamma = conf.isLockGammaBeta()
                ? Nd4j.valueArrayOf(std.shape(), conf.getGamma(), DataType.FLOAT)
                : layer.getParam(BatchNormalizationParamInitializer.GAMMA).castTo(DataType.FLOAT);
        INDArray scale = gamma.div(std).reshape(-1);
        INDArray gradient = epsilon.castTo(DataType.FLOAT).dup();
        // Features, or channels of [n, c, h, w] activations, are dimension 1 either way.
        return Broadcast.mul(gradient, scale, gradient, 1);
    }

    private static boolean isDropout(GraphVertex vertex) {
        return vertex.hasLayer() && vertex.getLayer().conf().getLayer() instanceof DropoutLayer;
    }

    /** {@code sum_k alpha_k A_k} per cell, signed: the cells' first-order shares of the logit. */
    private static float[][] weightedActivations(INDArray activations, INDArray gradient) {
        INDArray a = activations.castTo(DataType.FLOAT);
        INDArray g = gradient.castTo(DataType.FLOAT);
        int channels = (int) a.size(1);
        int height = (int) a.size(2);
        int width = (int) a.size(3);
        float[][] cam = new float[height][width];
        for (int k = 0; k < channels; k++) {
            double alpha = g.get(NDArrayIndex.point(0), NDArrayIndex.point(k))
                    .meanNumber()
                    .doubleValue();
            float[][] channel =
                    a.get(NDArrayIndex.point(0), NDArrayIndex.point(k)).toFloatMatrix();
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    cam[y][x] += (float) (alpha * channel[y][x]);
                }
            }
        }
        return cam;
    }

    private static float[] positiveNormalised(float[] map) {
        float max = 0;
        for (int i = 0; i < map.length; i++) {
            map[i] = Math.max(0, map[i]);
            max = Math.max(max, map[i]);
        }
        if (max > 0) {
            for (int i = 0; i < map.length; i++) {
                map[i] /= max;
            }
        }
        return map;
    }

    /**
     * Maps the map onto the image region the network saw: the whole image when squashed, the
     * centred crop (the same rectangle {@link Preprocessing} cuts) when cropped; 0 outside it.
     */
    private float[] upsample(float[][] cam, int imageWidth, int imageHeight) {
        int regionWidth = imageWidth;
        int regionHeight = imageHeight;
        if (preprocessing.resize() == ResizePolicy.CENTER_CROP) {
            if ((long) imageWidth * preprocessing.height() > (long) preprocessing.width() * imageHeight) {
                regionWidth = clamp(
                        (int) Math.round((double) imageHeight * preprocessing.width() / preprocessing.height()),
                        imageWidth);
            } else {
                regionHeight = clamp(
                        (int) Math.round((double) imageWidth * preprocessing.height() / preprocessing.width()),
                        imageHeight);
            }
        }
        int left = (imageWidth - regionWidth) / 2;
        int top = (imageHeight - regionHeight) / 2;
        int camHeight = cam.length;
        int camWidth = cam[0].length;
        float[] values = new float[imageWidth * imageHeight];
        for (int y = 0; y < regionHeight; y++) {
            // Pixel centres of the region mapped onto cell centres of the map, clamped at the border cells.
            double cy = Math.max(0, Math.min(camHeight - 1, (y + 0.5) * camHeight / regionHeight - 0.5));
            int y0 = (int) Math.floor(cy);
            int y1 = Math.min(camHeight - 1, y0 + 1);
            double fy = cy - y0;
            for (int x = 0; x < regionWidth; x++) {
                double cx = Math.max(0, Math.min(camWidth - 1, (x + 0.5) * camWidth / regionWidth - 0.5));
                int x0 = (int) Math.floor(cx);
                int x1 = Math.min(camWidth - 1, x0 + 1);
                double fx = cx - x0;
                double value = (cam[y0][x0] * (1 - fx) + cam[y0][x1] * fx) * (1 - fy)
                        + (cam[y1][x0] * (1 - fx) + cam[y1][x1] * fx) * fy;
                values[(top + y) * imageWidth + left + x] = (float) value;
            }
        }
        return values;
    }

    private static int clamp(int size, int max) {
        return Math.max(1, Math.min(size, max));
    }
}
