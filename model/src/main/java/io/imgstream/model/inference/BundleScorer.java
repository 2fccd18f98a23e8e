package io.imgstream.model.inference;

import io.imgstream.model.base.GraphCut;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.preprocess.Preprocessing;
import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.FrozenVertex;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.transferlearning.TransferLearningHelper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores images with the network of a {@link ModelBundle}, preprocessing them exactly as the bundle's manifest
 * records (the same code path its training used).
 *
 * <p><strong>Fast path:</strong> when the network starts with a chain of plain convolutions and max poolings
 * (a VGG base, a small CNN), that chain runs on {@link FastConvBase}, and a channels-last base up to the bottleneck
 * the manifest names (MobileNetV2, InceptionV3) on {@link ChannelsLastFastBase}; only the rest (the head) runs in
 * DL4J, through {@link TransferLearningHelper#outputFromFeaturized}. Outputs equal DL4J's own within float
 * rounding; other networks run entirely in DL4J.
 *
 * <p>Not thread-safe: the fast path reuses its buffers.
 */
public final class BundleScorer implements ImageScorer {

    private static final Logger LOG = LoggerFactory.getLogger(BundleScorer.class);

    private final ModelBundle bundle;
    private final ModelIdentity model;
    private final FastBase base;
    private final TransferLearningHelper head;
    private final String boundary;
    private final FeatureLayout featureLayout;

    /** @param bundle the bundle to score with; this scorer owns it from now on (its layers may be frozen in place) */
    public BundleScorer(ModelBundle bundle) {
        this.bundle = bundle;
        BundleManifest manifest = bundle.manifest();
        this.model = new ModelIdentity(manifest.modelName(), manifest.version(), manifest.classes());
        ComputationGraph network = bundle.network();
        String output = network.getConfiguration().getNetworkOutputs().get(0);
        Optional<FastConvBase.Prefix> convPrefix = FastConvBase.longestPrefix(network)
                .filter(p -> !p.boundary().equals(output))
                .filter(p -> frozenOnlyWithin(network, p.boundary()));
        Optional<Prefix> prefix = convPrefix.isPresent()
                ? convPrefix.map(p -> new Prefix(p.base(), p.boundary(), "fast conv path"))
                : channelsLastPrefix(manifest, network, output);
        this.boundary = prefix.map(Prefix::boundary).orElse(null);
        this.featureLayout = featureLayout(manifest, network);
        if (prefix.isPresent()) {
            this.base = prefix.get().base();
            // The helper freezes the layers up to the boundary in place; that changes nothing for inference, and the
            // scorer owns the bundle, so no copy of the network is made (it would double the load time of a swap).
            this.head = new TransferLearningHelper(network, prefix.get().boundary());
            LOG.info(
                    "{} v{}: layers up to '{}' run on the {}, the rest in DL4J",
                    model.name(),
                    model.version(),
                    prefix.get().boundary(),
                    prefix.get().path());
        } else {
            this.base = null;
            this.head = null;
        }
    }

    /** A fast path over a network's leading part, up to and including {@code boundary}. */
    private record Prefix(FastBase base, String boundary, String path) {}

    /**
     * A channels-last base's part of a bundle network: everything up to the bottleneck the manifest names, run on
     * {@link ChannelsLastFastBase} when it can run all of it.
     */
    private static Optional<Prefix> channelsLastPrefix(
            BundleManifest manifest, ComputationGraph network, String output) {
        String bottleneck = manifest.bottleneckLayer();
        if (bottleneck == null
                || bottleneck.equals(output)
                || !network.getConfiguration().getVertices().containsKey(bottleneck)
                || !frozenOnlyWithin(network, bottleneck)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Prefix(
                    ChannelsLastFastBase.from(GraphCut.at(network, bottleneck)),
                    bottleneck,
                    "channels-last fast path"));
        } catch (UnsupportedGraphException e) {
            LOG.info("{} v{}: runs in DL4J: {}", manifest.modelName(), manifest.version(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Whether every frozen layer lies at or before the boundary. {@link TransferLearningHelper} starts its head after
     * the last frozen layer, so a network frozen past the fast prefix (a base frozen up to its bottleneck, say, whose
     * pooling the fast path does not cover) would get activations of the wrong layer; such a network runs in DL4J.
     */
    private static boolean frozenOnlyWithin(ComputationGraph network, String boundary) {
        Map<String, List<String>> inputs = network.getConfiguration().getVertexInputs();
        Set<String> covered = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(boundary));
        while (!pending.isEmpty()) {
            String vertex = pending.pop();
            if (covered.add(vertex)) {
                pending.addAll(inputs.getOrDefault(vertex, List.of()));
            }
        }
        for (GraphVertex vertex : network.getVertices()) {
            boolean frozen =
                    vertex instanceof FrozenVertex || (vertex.hasLayer() && vertex.getLayer() instanceof FrozenLayer);
            if (frozen && !covered.contains(vertex.getVertexName())) {
                return false;
            }
        }
        return true;
    }

    /** Features are the activations of the layer the manifest names as the bottleneck, if it names one. */
    private static FeatureLayout featureLayout(BundleManifest manifest, ComputationGraph network) {
        String bottleneck = manifest.bottleneckLayer();
        if (bottleneck == null) {
            return null;
        }
        Preprocessing input = manifest.preprocessing();
        // On a copy: DL4J sets each layer's data format from the input type as it goes, which would turn the layers
        // of a channels-last base channels first.
        Map<String, InputType> activations = network.getConfiguration()
                .clone()
                .getLayerActivationTypes(InputType.convolutional(input.height(), input.width(), input.channels()));
        List<Integer> shape = new ArrayList<>();
        for (long dimension : activations.get(bottleneck).getShape(false)) {
            shape.add(Math.toIntExact(dimension));
        }
        return new FeatureLayout(manifest.baseModelId(), shape);
    }

    /** Whether the network's base runs on a {@link FastBase} ({@link FastConvBase} or {@link ChannelsLastFastBase}). */
    public boolean usesFastPath() {
        return base != null;
    }

    @Override
    public ModelIdentity model() {
        return model;
    }

    @Override
    public List<float[]> score(List<BufferedImage> images) {
        if (images.isEmpty()) {
            return List.of();
        }
        INDArray batch = bundle.manifest().preprocessing().toBatch(images);
        try {
            return rows(base == null ? bundle.predict(batch) : predictFast(batch, null));
        } finally {
            batch.close();
        }
    }

    @Override
    public Optional<Preprocessing> preprocessing() {
        return Optional.of(bundle.manifest().preprocessing());
    }

    @Override
    public Optional<PredictionProfile> holdoutProfile() {
        return Optional.ofNullable(bundle.manifest().holdoutProfile());
    }

    @Override
    public Optional<FeatureLayout> featureLayout() {
        return Optional.ofNullable(featureLayout);
    }

    @Override
    public Scores scoreWithFeatures(List<BufferedImage> images) {
        if (featureLayout == null || images.isEmpty()) {
            return new Scores(score(images), List.of());
        }
        String bottleneck = bundle.manifest().bottleneckLayer();
        INDArray batch = bundle.manifest().preprocessing().toBatch(images);
        try {
            if (base != null && bottleneck.equals(boundary)) {
                List<float[]> features = new ArrayList<>();
                float[][] probabilities = predictFast(batch, features);
                return new Scores(rows(probabilities), features);
            }
            // The bottleneck is not where the fast path ends: one DL4J pass that keeps every activation.
            Map<String, INDArray> activations = bundle.network().feedForward(batch, false);
            String output =
                    bundle.network().getConfiguration().getNetworkOutputs().get(0);
            return new Scores(
                    rows(ClassOutputs.probabilities(activations.get(output), classCount())),
                    rows(flat(activations.get(bottleneck))));
        } finally {
            batch.close();
        }
    }

    private float[][] predictFast(INDArray batch, List<float[]> featuresOut) {
        try (INDArray features = base.features(batch)) {
            if (featuresOut != null) {
                featuresOut.addAll(rows(flat(features)));
            }
            return ClassOutputs.probabilities(head.outputFromFeaturized(features), classCount());
        }
    }

    private int classCount() {
        return bundle.manifest().classes().size();
    }

    private static float[][] flat(INDArray activations) {
        return activations
                .reshape('c', activations.size(0), -1)
                .castTo(DataType.FLOAT)
                .toFloatMatrix();
    }

    private static List<float[]> rows(float[][] matrix) {
        List<float[]> rows = new ArrayList<>(matrix.length);
        for (float[] row : matrix) {
            rows.add(row);
        }
        return rows;
    }

    @Override
    public void close() {
        bundle.network().clear();
        if (head != null) {
            head.unfrozenGraph().clear();
        }
    }
}
