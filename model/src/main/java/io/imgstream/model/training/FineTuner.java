package io.imgstream.model.training;

import io.imgstream.model.augment.ClassBalancer;
import io.imgstream.model.augment.ImageAugmenter;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.base.MergeAxes;
import io.imgstream.model.base.VggBase;
import io.imgstream.model.evaluation.EpochMetrics;
import io.imgstream.model.evaluation.EvaluationResult;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.head.ClassificationTally;
import io.imgstream.model.head.ExampleOrder;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.preprocess.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * Fine-tunes the top of a base network together with a head trained on its features: {@link
 * #assemble} stacks the head on the base and freezes the base up to a boundary ({@code
 * TransferLearning.GraphBuilder.setFeatureExtractor}), and {@link #fineTune} trains the rest with
 * low-learning-rate SGD on images augmented on the fly.
 *
 * <p>Start from a trained head: a random head's large gradients would wreck the pretrained
 * features being fine-tuned (the reason the seeds train the head first).
 *
 * <p>Not thread-safe: training mutates the network and seeds the calling thread's ND4J random generator.
 */
public final class FineTuner {

    private static final long EPOCH_SEED_STRIDE = 1_000_003L;

    /** Which layers of the base are trained; the others are frozen. */
    public sealed interface Unfreeze {

        /**
         * Trains a named layer and everything after it, e.g. {@code "block5_conv1"} for VGG16's block 5.
         *
         * @param layer the first trainable layer of the base; it must have exactly one input
         * @return the choice
         */
        static Unfreeze fromLayer(String layer) {
            return new FromLayer(layer);
        }

        /**
         * Trains the last {@code count} layers of the base (layers in topological order, pooling
         * layers included, as Keras counts them); all layers if there are fewer.
         *
         * @param count layers to train; positive
         * @return the choice
         */
        static Unfreeze lastLayers(int count) {
            return new LastLayers(count);
        }

        /**
         * Trains none of the base: a head stacked on its base for scoring, the bottleneck frozen too, whatever
         * vertex it is (a concatenation, a residual sum, a layer).
         *
         * @return the choice
         */
        static Unfreeze none() {
            return new Nothing();
        }

        /**
         * The seeds' choice unless told otherwise: VGG's last convolution block, the last
         * {@value #DEFAULT_LAST_LAYERS} layers of any other base.
         *
         * @param base   the base to fine-tune
         * @param layers layers to train when positive; 0 for the default
         * @return the choice
         */
        static Unfreeze lastBlockOf(BaseNetwork base, int layers) {
            if (layers > 0) {
                return new LastLayers(layers);
            }
            return base instanceof VggBase ? new FromLayer(VGG_LAST_BLOCK) : new LastLayers(DEFAULT_LAST_LAYERS);
        }
    }

    /** Layers fine-tuned in a base that is not VGG, unless told otherwise. */
    public static final int DEFAULT_LAST_LAYERS = 10;
    /** The first layer of VGG16's and VGG19's last convolution block, where the seeds start fine-tuning. */
    private static final String VGG_LAST_BLOCK = "block5_conv1";

    /**
     * Trains from a named layer on.
     *
     * @param layer the first trainable layer
     */
    public record FromLayer(String layer) implements Unfreeze {
        public FromLayer {
            Objects.requireNonNull(layer, "layer");
        }
    }

    /** Trains none of the base's layers. */
    public record Nothing() implements Unfreeze {}

    /**
     * Trains the last layers.
     *
     * @param count how many; positive
     */
    public record LastLayers(int count) implements Unfreeze {
        public LastLayers {
            if (count <= 0) {
                throw new IllegalArgumentException("count must be positive, was " + count);
            }
        }
    }

    private final FineTuneConfig config;

    /**
     * Creates a fine-tuner.
     *
     * @param config optimiser, epochs, augmentation and seed
     */
    public FineTuner(FineTuneConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * The vertex of an {@link #assemble}d network whose activations are the base's features, channels first as
     * {@link BaseNetwork#features} gives them: what a bundle names as its bottleneck.
     */
    public static String featuresVertex(BaseNetwork base) {
        return base.dataFormat() == CNN2DFormat.NHWC
                ? ChannelsFirstGraph.features(base.bottleneckLayer())
                : base.bottleneckLayer();
    }

    /**
     * Stacks a trained single-base head on its base in one new network: the base's layers up to the
     * boundary are frozen, the rest of the base and the whole head train with this fine-tuner's SGD.
     * Neither input network is changed; the result holds copies of their weights.
     *
     * @param base     the base the head was trained on
     * @param head     a trained head from {@link HeadBuilder} over this base's features alone
     * @param unfreeze which base layers train
     * @return the combined network; input: the base's input, output: {@value HeadBuilder#OUTPUT}
     * @throws IllegalArgumentException if the head has several inputs, or the unfreeze choice names no layer of the
     *                                  base or a layer with several inputs
     */
    public ComputationGraph assemble(BaseNetwork base, ComputationGraph head, Unfreeze unfreeze) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(unfreeze, "unfreeze");
        // A channels-last base gets permutes on both sides, so the network takes what scorers feed (NCHW) and the
        // head sees features in the order it was trained on.
        boolean channelsLast = base.dataFormat() == CNN2DFormat.NHWC;
        ComputationGraph baseGraph =
                channelsLast ? ChannelsFirstGraph.of(base.graph(), base.bottleneckLayer()) : base.graph();
        String features = channelsLast ? ChannelsFirstGraph.features(base.bottleneckLayer()) : base.bottleneckLayer();
        ComputationGraphConfiguration headConfiguration = head.getConfiguration();
        if (headConfiguration.getNetworkInputs().size() != 1) {
            throw new IllegalArgumentException(
                    "only a single-base head can be fine-tuned with its base; this head has inputs "
                            + headConfiguration.getNetworkInputs());
        }
        IUpdater sgd = new Nesterovs(config.learningRate(), config.momentum());
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(baseGraph)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder()
                        .updater(sgd)
                        .seed(config.seed())
                        .build());
        String boundary = frozenBoundary(baseGraph, base.bottleneckLayer(), unfreeze);
        if (boundary != null) {
            builder.setFeatureExtractor(boundary);
        }
        // The base's batch normalisations must keep their statistics, as Keras advises for fine-tuning: in
        // training mode a few small batches of another domain would replace the running mean and variance the next
        // layers were trained against, and DL4J's layer normalises by the batch while it trains. Each becomes the
        // fixed affine map it is at inference (FixedNormalization says why not folded into its convolution).
        Preprocessing pixels = base.preprocessing();
        List<FixedNormalization> fixed = FixedNormalization.trainable(
                baseGraph, boundary, InputType.convolutional(pixels.height(), pixels.width(), pixels.channels()));
        for (FixedNormalization normalization : fixed) {
            builder.removeVertexKeepConnections(normalization.name());
            if (normalization.preProcessor() == null) {
                builder.addLayer(normalization.name(), normalization.affine(), normalization.inputs());
            } else {
                builder.addLayer(
                        normalization.name(),
                        normalization.affine(),
                        normalization.preProcessor().clone(),
                        normalization.inputs());
            }
        }
        String headInput = headConfiguration.getNetworkInputs().get(0);
        for (int index : head.topologicalSortOrder()) {
            String name = head.getVertices()[index].getVertexName();
            if (name.equals(headInput)) {
                continue;
            }
            String[] inputs = headConfiguration.getVertexInputs().get(name).stream()
                    .map(input -> input.equals(headInput) ? features : input)
                    .toArray(String[]::new);
            GraphVertex vertex = headConfiguration.getVertices().get(name);
            if (vertex instanceof LayerVertex layerVertex) {
                org.deeplearning4j.nn.conf.layers.Layer layer =
                        layerVertex.getLayerConf().getLayer().clone();
                // Added layers keep their own updater otherwise: the head's RMSprop would fight the fine-tuning SGD.
                if (layer instanceof BaseLayer trainable) {
                    trainable.setIUpdater(sgd);
                    trainable.setBiasUpdater(null);
                }
                if (layerVertex.getPreProcessor() == null) {
                    builder.addLayer(name, layer, inputs);
                } else {
                    builder.addLayer(name, layer, layerVertex.getPreProcessor().clone(), inputs);
                }
            } else {
                builder.addVertex(name, vertex.clone(), inputs);
            }
        }
        ComputationGraph combined = MergeAxes.restore(
                baseGraph, builder.setOutputs(HeadBuilder.OUTPUT).build());
        withoutNoOpDropout(combined);
        fixed.forEach(normalization -> normalization.writeAffine(baseGraph, combined));
        // One that normalises something else than feature maps keeps its statistics at least: a decay of 1 leaves
        // the running mean and variance as they are.
        List<String> replaced = fixed.stream().map(FixedNormalization::name).toList();
        for (String name : FixedNormalization.trainableNormalizations(baseGraph, boundary)) {
            if (!replaced.contains(name)) {
                // The layer shares this configuration with the graph's, so the bundle keeps it too.
                ((BatchNormalization) combined.getLayer(name).conf().getLayer()).setDecay(1.0);
            }
        }
        for (Layer layer : head.getLayers()) {
            if (layer.numParams() > 0) {
                combined.getLayer(layer.conf().getLayer().getLayerName())
                        .setParams(layer.params().dup());
            }
        }
        return combined;
    }

    /**
     * Trains an assembled network in place for {@link FineTuneConfig#epochs()} epochs on augmented
     * (and, if configured, class-balanced) images, evaluating on the plain images after each epoch.
     *
     * @param network       a network from {@link #assemble}
     * @param preprocessing the base's preprocessing
     * @param train         training images; not empty
     * @param validation    validation images; not empty
     * @param onEpoch       called after every epoch
     * @return the network and its curves
     * @throws IllegalArgumentException if a data set is empty or has a label the network can't output
     */
    public FineTuneResult fineTune(
            ComputationGraph network,
            Preprocessing preprocessing,
            ImageSet train,
            ImageSet validation,
            Consumer<EpochMetrics> onEpoch) {
        return run(network, preprocessing, train, validation, 1, TrainingCurves.empty(), null, onEpoch);
    }

    /**
     * Trains as {@link #fineTune(ComputationGraph, Preprocessing, ImageSet, ImageSet, Consumer)}, writing a
     * {@link FineTuneCheckpoint} after every epoch; if {@code checkpoints} already holds one, continues that run from
     * its next epoch instead, with its network (updater state included) in place of {@code network}. Epoch {@code e}
     * is shuffled and augmented from {@code (seed, e)} alone, so a continued run trains as the uninterrupted one
     * would have.
     *
     * <p>The caller decides whether a checkpoint there belongs to this run (same network, images and settings);
     * {@link #discardCheckpoint} removes one that does not, or one whose run has finished.
     *
     * @param checkpoints the run's checkpoint directory; created if missing
     * @return the trained network (the restored one when continuing) and the curves of all its epochs
     * @throws IOException if a checkpoint can't be written, or the one there can't be read
     */
    public FineTuneResult fineTune(
            ComputationGraph network,
            Preprocessing preprocessing,
            ImageSet train,
            ImageSet validation,
            Path checkpoints,
            Consumer<EpochMetrics> onEpoch)
            throws IOException {
        Objects.requireNonNull(checkpoints, "checkpoints");
        Optional<FineTuneCheckpoint.Restored> restored = FineTuneCheckpoint.read(checkpoints);
        try {
            if (restored.isPresent()) {
                FineTuneCheckpoint state = restored.get().state();
                return run(
                        restored.get().network(),
                        preprocessing,
                        train,
                        validation,
                        state.epoch() + 1,
                        state.curves(),
                        checkpoints,
                        onEpoch);
            }
            return run(network, preprocessing, train, validation, 1, TrainingCurves.empty(), checkpoints, onEpoch);
        } catch (CheckpointFailure e) {
            throw e.getCause();
        }
    }

    /** Deletes the fine-tuning checkpoint in {@code checkpoints}, if there is one. */
    public static void discardCheckpoint(Path checkpoints) throws IOException {
        FineTuneCheckpoint.clear(checkpoints);
    }

    private FineTuneResult run(
            ComputationGraph network,
            Preprocessing preprocessing,
            ImageSet train,
            ImageSet validation,
            int firstEpoch,
            TrainingCurves earlier,
            Path checkpoints,
            Consumer<EpochMetrics> onEpoch) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(onEpoch, "onEpoch");
        int classes = ClassOutputs.classCount(network);
        requireFits(train, "training", classes);
        requireFits(validation, "validation", classes);
        ImageAugmenter augmenter = new ImageAugmenter(config.augmentation());
        int[] examples = config.balanceClasses()
                ? ClassBalancer.oversample(train.labels(), new Random(config.seed()))
                : ExampleOrder.identity(train.count());
        int[] order = new int[examples.length];
        INDArray buffer = Nd4j.create(DataType.FLOAT, preprocessing.batchShape(config.batchSize()));
        TrainingCurves curves = earlier;
        for (int epoch = firstEpoch; epoch <= config.epochs(); epoch++) {
            long started = System.nanoTime();
            long epochSeed = config.seed() * EPOCH_SEED_STRIDE + epoch;
            Nd4j.getRandom().setSeed(epochSeed);
            Random random = new Random(epochSeed);
            // Start every epoch from the same order, so its shuffle and augmentations depend on the epoch alone.
            System.arraycopy(examples, 0, order, 0, examples.length);
            ExampleOrder.shuffle(order, random);
            for (int from = 0; from < order.length; from += config.batchSize()) {
                int size = Math.min(config.batchSize(), order.length - from);
                for (int i = 0; i < size; i++) {
                    preprocessing.writeInto(augmenter.augment(train.images().get(order[from + i]), random), buffer, i);
                }
                INDArray input = rows(buffer, size);
                network.fit(new DataSet(input, ClassOutputs.encode(train.labels(), order, from, size, classes)));
            }
            EvaluationResult onTrain = evaluate(network, preprocessing, train);
            EvaluationResult onValidation = evaluate(network, preprocessing, validation);
            EpochMetrics metrics = EpochMetrics.of(epoch, onTrain, onValidation, started);
            curves = curves.plus(metrics);
            if (checkpoints != null) {
                try {
                    new FineTuneCheckpoint(epoch, curves).write(checkpoints, network);
                } catch (IOException e) {
                    throw new CheckpointFailure(
                            new IOException("could not write a fine-tuning checkpoint to " + checkpoints, e));
                }
            }
            onEpoch.accept(metrics);
        }
        return new FineTuneResult(network, curves);
    }

    /**
     * Measures loss and accuracy in inference mode on un-augmented images.
     *
     * @param network       a base + head network
     * @param preprocessing the base's preprocessing
     * @param data          labelled images; not empty
     * @return mean cross-entropy and accuracy
     */
    public EvaluationResult evaluate(ComputationGraph network, Preprocessing preprocessing, ImageSet data) {
        int classes = ClassOutputs.classCount(network);
        requireFits(data, "evaluation", classes);
        return ClassificationTally.of(predict(network, preprocessing, data.images()), data.labels());
    }

    /**
     * Class probabilities in inference mode, in batches of this fine-tuner's size.
     *
     * @param network       a base + head network
     * @param preprocessing the base's preprocessing
     * @param images        the images, in any size the preprocessing accepts
     * @return one row of probabilities per image, in order
     */
    public float[][] predict(ComputationGraph network, Preprocessing preprocessing, List<BufferedImage> images) {
        int classes = ClassOutputs.classCount(network);
        INDArray buffer = Nd4j.create(DataType.FLOAT, preprocessing.batchShape(config.batchSize()));
        float[][] probabilities = new float[images.size()][];
        for (int from = 0; from < images.size(); from += config.batchSize()) {
            int size = Math.min(config.batchSize(), images.size() - from);
            for (int i = 0; i < size; i++) {
                preprocessing.writeInto(images.get(from + i), buffer, i);
            }
            float[][] batch = ClassOutputs.probabilities(network.outputSingle(false, rows(buffer, size)), classes);
            System.arraycopy(batch, 0, probabilities, from, size);
        }
        return probabilities;
    }

    /**
     * Removes the dropout that keeps every activation ({@code Dropout(p=1.0)}) from every layer. DL4J's Keras import
     * gives each imported layer one; it changes nothing, but its backward pass multiplies the gradient by a mask
     * of the channels-first shape, which fails on a channels-last layer ("Op [multiply] execution failed"): without
     * this, no trainable layer of an imported channels-last base could be fine-tuned.
     */
    private static void withoutNoOpDropout(ComputationGraph network) {
        for (GraphVertex vertex : network.getConfiguration().getVertices().values()) {
            if (vertex instanceof LayerVertex layerVertex) {
                clearIfNoOp(layerVertex.getLayerConf().getLayer());
            }
        }
        for (Layer layer : network.getLayers()) {
            clearIfNoOp(layer.conf().getLayer());
        }
    }

    static void clearIfNoOp(org.deeplearning4j.nn.conf.layers.Layer layer) {
        if (layer.getIDropout() instanceof Dropout dropout && dropout.getPSchedule() == null && dropout.getP() == 1.0) {
            layer.setIDropout(null);
        }
    }

    /**
     * Returns the layer the base is frozen up to (inclusive), or null when every layer trains.
     */
    static String frozenBoundary(ComputationGraph base, String bottleneck, Unfreeze unfreeze) {
        if (unfreeze instanceof Nothing) {
            return bottleneck;
        }
        ComputationGraphConfiguration configuration = base.getConfiguration();
        List<String> layers = new ArrayList<>();
        for (int index : base.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex vertex = base.getVertices()[index];
            if (vertex.hasLayer()) {
                layers.add(vertex.getVertexName());
            }
        }
        String firstTrainable;
        if (unfreeze instanceof LastLayers last) {
            firstTrainable = last.count() >= layers.size() ? layers.get(0) : layers.get(layers.size() - last.count());
        } else {
            firstTrainable = ((FromLayer) unfreeze).layer();
        }
        if (!layers.contains(firstTrainable)) {
            throw new IllegalArgumentException(
                    "the base has no layer '" + firstTrainable + "'; its layers are " + layers);
        }
        List<String> inputs = configuration.getVertexInputs().get(firstTrainable);
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("layer '" + firstTrainable + "' has inputs " + inputs
                    + "; fine-tuning can only start at a layer with exactly one input");
        }
        return configuration.getNetworkInputs().contains(inputs.get(0)) ? null : inputs.get(0);
    }

    private static INDArray rows(INDArray buffer, int size) {
        return size == buffer.size(0)
                ? buffer
                : buffer.get(
                        NDArrayIndex.interval(0, size), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    }

    private static void requireFits(ImageSet data, String role, int classes) {
        Objects.requireNonNull(data, role + " data");
        ClassOutputs.requireFits(role, data.count(), data.classCount(), classes);
    }

    /** Carries a checkpoint's failure out of the epoch loop to the method that declares it. */
    private static final class CheckpointFailure extends RuntimeException {
        CheckpointFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }
}
