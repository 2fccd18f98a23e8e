package io.imgstream.model.explain;

import io.imgstream.model.base.MergeAxes;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import java.awt.image.BufferedImage;
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
 * carries it down to the chosen layer. That path must be a chain (each vertex one input), as in
 * VGG-style bases with a head; other graphs are refused. The map is normalised to {@code [0, 1]} by
 * its maximum, then bilinearly upsampled onto the image (inside the centred crop for {@link
 * ResizePolicy#CENTER_CROP}, 0 outside).
 *
 * <p>Works on a copy of the network (with workspaces off, so stored activations stay valid), so the
 * given network is never changed; the copy costs one set of parameters per call. Thread-safe as long
 * as no other thread trains the network meanwhile. Channels-first (NCHW) networks only.
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
     * The layer Grad-CAM looks at unless told otherwise: the last convolution layer in topological order, the one
     * nearest the head, when it is channels-first. A channels-last base's convolutions have {@code [1, height,
     * width, channels]} activations the map can't be read from; its bundle's bottleneck, the base's output turned
     * channels first, is the layer then.
     *
     * @param network    the bundle's network
     * @param bottleneck the bundle's bottleneck layer, if it names one
     * @return the layer's name, or empty if the network has no convolution layer, or only channels-last ones and no
     *     bottleneck
     */
    public static Optional<String> defaultLayer(ComputationGraph network, Optional<String> bottleneck) {
        GraphVertex[] vertices = network.getVertices();
        int[] order = network.topologicalSortOrder();
        for (int i = order.length - 1; i >= 0; i--) {
            GraphVertex vertex = vertices[order[i]];
            if (vertex.hasLayer() && vertex.getLayer().conf().getLayer() instanceof ConvolutionLayer convolution) {
                return convolution.getCnn2dDataFormat() == CNN2DFormat.NHWC
                        ? bottleneck
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
     * @param layer   name of a convolution (or pooling) layer with 4-d activations
     * @return the heatmap of the image's size
     */
    public Heatmap explain(ComputationGraph network, BufferedImage image, String layer) {
        return explain(network, image, layer, -1);
    }

    /**
     * Explains one class for an image.
     *
     * @param network    a single-input, single-output classifier ending in a dense output layer
     * @param image      the image, any size
     * @param layer      name of a convolution (or pooling) layer with 4-d activations
     * @param classIndex the class to explain, or -1 for the most probable one
     * @return the heatmap of the image's size
     * @throws IllegalArgumentException if the layer is unknown or not 4-d, the path from it to the
     *                                  output is not a chain, or the class is out of range
     */
    public Heatmap explain(ComputationGraph network, BufferedImage image, String layer, int classIndex) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(layer, "layer");
        ComputationGraph copy = MergeAxes.restore(network, network.clone());
        // The layers' backward passes below write into the gradient views, which a restored copy has not made yet.
        copy.initGradientsView();
        copy.getConfiguration().setTrainingWorkspaceMode(WorkspaceMode.NONE);
        copy.getConfiguration().setInferenceWorkspaceMode(WorkspaceMode.NONE);
        ComputationGraphConfiguration configuration = copy.getConfiguration();
        if (!configuration.getVertices().containsKey(layer)) {
            throw new IllegalArgumentException("the network has no layer '" + layer + "'");
        }
        String outputName = configuration.getNetworkOutputs().get(0);
        INDArray input = preprocessing.toBatch(List.of(image));
        Map<String, INDArray> activations = copy.feedForward(new INDArray[] {input}, false, false);
        INDArray layerActivations = activations.get(layer);
        if (layerActivations == null || layerActivations.rank() != 4) {
            throw new IllegalArgumentException(
                    "layer '" + layer + "' must have [1, channels, height, width] activations");
        }

        Layer output = copy.getOutputLayer(0);
        if (!(output.conf().getLayer() instanceof BaseOutputLayer)) {
            throw new IllegalArgumentException("the network must end in a dense output layer, not "
                    + output.conf().getLayer());
        }
        int classes = ClassOutputs.classesFor(output.getParam("W").size(1));
        float[] probabilities = ClassOutputs.probabilities(activations.get(outputName), classes)[0];
        int target = classIndex < 0 ? ClassOutputs.argMax(probabilities) : Objects.checkIndex(classIndex, classes);
        INDArray epsilon = logitGradient(output.getParam("W"), target, classes);

        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        GraphVertex outputVertex = copy.getVertex(outputName);
        InputPreProcessor outputPreprocessor = ((LayerVertex) outputVertex).getLayerPreProcessor();
        if (outputPreprocessor != null) {
            epsilon = outputPreprocessor.backprop(epsilon, 1, noWorkspaces);
        }
        String current = singleInput(configuration, outputName, layer);
        while (!current.equals(layer)) {
            GraphVertex vertex = copy.getVertex(current);
            if (isDropout(vertex)) {
                // Inference-mode dropout is the identity; DL4J's dropout backward pass insists on a training mask.
                InputPreProcessor preprocessor = ((LayerVertex) vertex).getLayerPreProcessor();
                epsilon = preprocessor == null ? epsilon : preprocessor.backprop(epsilon, 1, noWorkspaces);
            } else if (isBatchNormalization(vertex)) {
                // DL4J's batch normalisation backward pass is the training one, through batch statistics an
                // inference pass never computed (it gives zeros); in inference it is a fixed affine map.
                epsilon = batchNormalizationGradient(vertex.getLayer(), epsilon);
            } else {
                vertex.setEpsilon(epsilon);
                epsilon = vertex.doBackward(false, noWorkspaces).getSecond()[0];
            }
            current = singleInput(configuration, current, layer);
        }
        float[][] cam = classActivationMap(layerActivations, epsilon);
        return new Heatmap(
                image.getWidth(),
                image.getHeight(),
                upsample(cam, image.getWidth(), image.getHeight()),
                target,
                probabilities[target],
                layer);
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

    private static String singleInput(ComputationGraphConfiguration configuration, String vertex, String layer) {
        List<String> inputs = configuration.getVertexInputs().get(vertex);
        if (inputs == null
                || inputs.size() != 1
                || configuration.getNetworkInputs().contains(inputs.get(0))) {
            throw new IllegalArgumentException("Grad-CAM needs a chain of single-input vertices from '" + layer
                    + "' to the output, but '" + vertex + "' has inputs " + inputs);
        }
        return inputs.get(0);
    }

    private static float[][] classActivationMap(INDArray activations, INDArray gradient) {
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
        float max = 0;
        for (float[] row : cam) {
            for (int x = 0; x < width; x++) {
                row[x] = Math.max(0, row[x]);
                max = Math.max(max, row[x]);
            }
        }
        if (max > 0) {
            for (float[] row : cam) {
                for (int x = 0; x < width; x++) {
                    row[x] /= max;
                }
            }
        }
        return cam;
    }

    /**
     * Maps the map onto the image region the network saw: the whole image when squashed, the
     * centred crop (the same rectangle {@link Preprocessing} cuts) when cropped.
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
                values[(top + y) * imageWidth + left + x] = (float) Math.max(0, Math.min(1, value));
            }
        }
        return values;
    }

    private static int clamp(int size, int max) {
        return Math.max(1, Math.min(size, max));
    }
}
