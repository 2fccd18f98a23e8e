package io.imgstream.bench;

import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.training.LabeledImages;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.util.FeatureUtil;

/**
 * Which layer of a base to cut at: a linear probe on every layer's pooled activations, on the same few Fashion-MNIST
 * labels as {@link TransferBenchmark}. Each layer's feature maps are averaged per channel, standardised on the
 * training images, and a softmax regression with L2 regularisation is trained on them; the L2 strength is the one
 * of {@link #L2_STRENGTHS} with the best validation accuracy, and the test accuracy is read at that strength. The
 * layers with the best validation accuracy are then probed together, concatenated, as several cuts would be.
 *
 * <p>A linear probe measures the features, not a head: what a layer's channels tell apart without anything learnt
 * on top of them. Only validation accuracy chooses (strengths, the layers to concatenate); test images are read once
 * per row.
 */
public final class LayerProbe {

    /** L2 strengths each probe is trained at. */
    public static final List<Double> L2_STRENGTHS = List.of(1e-3, 1e-2, 1e-1);

    /** How many of the best layers are concatenated, one row each. */
    public static final List<Integer> CONCATENATED = List.of(2, 4);

    private static final int EPOCHS = 200;
    private static final double LEARNING_RATE = 1e-2;
    private static final int BATCH = 8;
    private static final int PROGRESS_EVERY = 200;

    /**
     * What to run.
     *
     * @param labeledPerClass labeled images per class (train + validation)
     * @param testImages      test images, the last ones before image 7000
     * @param layers          layers to probe, in any order; empty for every layer whose output is a nonlinearity,
     *                        a sum, a concatenation or a pooling
     * @param seed            seed of every probe's initial weights
     * @throws IllegalArgumentException if there are fewer than 2 labeled images per class or too many test images
     */
    public record Settings(int labeledPerClass, int testImages, List<String> layers, long seed) {

        public Settings {
            FewLabels.check(labeledPerClass, testImages);
            layers = List.copyOf(Objects.requireNonNull(layers, "layers"));
        }
    }

    /**
     * One probed layer, or several concatenated.
     *
     * @param layer              the layer's name, or the names joined by {@code " + "}
     * @param features           channels, the probe's inputs
     * @param validationAccuracy accuracy on the validation images at the chosen strength
     * @param testAccuracy       accuracy on the test images at the chosen strength
     * @param l2                 the chosen L2 strength
     */
    public record Row(String layer, int features, double validationAccuracy, double testAccuracy, double l2) {}

    private final Consumer<String> log;

    /** @param log progress lines */
    public LayerProbe(Consumer<String> log) {
        this.log = Objects.requireNonNull(log, "log");
    }

    /**
     * Probes the base's layers, in network order, then the best of them concatenated.
     *
     * @throws IllegalArgumentException if a named layer is not in the base's network, or no layer is left to probe
     */
    public List<Row> run(BaseNetwork base, Settings settings) throws IOException {
        FewLabels split = FewLabels.read(settings.labeledPerClass(), settings.testImages());
        List<String> layers = layersToProbe(base.graph(), settings.layers());
        log.accept("probing " + layers.size() + " layers of " + base.id().name());
        LabeledImages trainImages = split.train();
        LabeledImages validationImages = split.validation();
        Map<String, float[][]> train = pooled(base, layers, trainImages, "train");
        Map<String, float[][]> validation = pooled(base, layers, validationImages, "validation");
        Map<String, float[][]> test = pooled(base, layers, split.test(), "test");
        int[] trainLabels = trainImages.labels();
        int[] validationLabels = validationImages.labels();
        int[] testLabels = split.test().labels();
        int classes = split.labeled().classCount();
        List<Row> rows = new ArrayList<>();
        for (String layer : layers) {
            rows.add(probe(
                    layer,
                    new Probed(train.get(layer), trainLabels),
                    new Probed(validation.get(layer), validationLabels),
                    new Probed(test.get(layer), testLabels),
                    classes,
                    settings.seed()));
        }
        List<String> ranked = rows.stream()
                .sorted(Comparator.comparingDouble(Row::validationAccuracy).reversed())
                .map(Row::layer)
                .toList();
        for (int count : CONCATENATED) {
            if (count > ranked.size()) {
                break;
            }
            List<String> best =
                    layers.stream().filter(ranked.subList(0, count)::contains).toList();
            rows.add(probe(
                    String.join(" + ", best),
                    new Probed(concatenate(train, best), trainLabels),
                    new Probed(concatenate(validation, best), validationLabels),
                    new Probed(concatenate(test, best), testLabels),
                    classes,
                    settings.seed()));
        }
        return rows;
    }

    /**
     * The layers to probe, in the network's order.
     *
     * @param graph  the base's network
     * @param chosen names the user gave; empty for the default choice
     */
    static List<String> layersToProbe(ComputationGraph graph, List<String> chosen) {
        Map<String, GraphVertex> vertices = graph.getConfiguration().getVertices();
        List<String> missing =
                chosen.stream().filter(name -> !vertices.containsKey(name)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("the base's network has no layer " + String.join(", ", missing)
                    + "; it has " + String.join(", ", new TreeSet<>(vertices.keySet())));
        }
        List<String> layers = new ArrayList<>();
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (chosen.isEmpty() ? isNonlinearOutput(vertices.get(name)) : chosen.contains(name)) {
                layers.add(name);
            }
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no layer of the base's network to probe");
        }
        return layers;
    }

    // Linear layers (a convolution without activation, a batch normalisation) add nothing a probe can use that the
    // nonlinearity after them lacks; probing only what follows a nonlinearity, a sum or a merge keeps the table short.
    private static boolean isNonlinearOutput(GraphVertex vertex) {
        if (vertex instanceof ElementWiseVertex || vertex instanceof MergeVertex) {
            return true;
        }
        if (!(vertex instanceof LayerVertex layerVertex)) {
            return false;
        }
        Layer layer = layerVertex.getLayerConf().getLayer();
        if (layer instanceof ActivationLayer || layer instanceof SubsamplingLayer) {
            return true;
        }
        // DL4J gives a batch normalisation the default activation (sigmoid) but never applies it.
        return layer instanceof BaseLayer base
                && !(layer instanceof OutputLayer)
                && !(layer instanceof BatchNormalization)
                && !(base.getActivationFn() instanceof ActivationIdentity);
    }

    // Per layer, one row per image: its feature maps averaged per channel. Layers whose output is not a feature map
    // (a dense layer after the cut's flatten) are kept as they are.
    private Map<String, float[][]> pooled(BaseNetwork base, List<String> layers, LabeledImages images, String what) {
        Preprocessing preprocessing = base.preprocessing();
        boolean channelsLast = base.dataFormat() == CNN2DFormat.NHWC;
        Map<String, float[][]> pooled = new LinkedHashMap<>();
        layers.forEach(layer -> pooled.put(layer, new float[images.count()][]));
        INDArray input = Nd4j.create(DataType.FLOAT, preprocessing.batchShape(BATCH));
        List<String> inputs = base.graph().getConfiguration().getNetworkInputs();
        long started = System.nanoTime();
        for (int from = 0; from < images.count(); from += BATCH) {
            int size = Math.min(BATCH, images.count() - from);
            for (int i = 0; i < size; i++) {
                preprocessing.writeInto(images.image(from + i), input, i);
            }
            INDArray batch = input.get(
                    NDArrayIndex.interval(0, size), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
            Map<String, INDArray> activations = base.graph()
                    .feedForward(
                            new INDArray[] {
                                channelsLast ? batch.permute(0, 2, 3, 1).dup('c') : batch
                            },
                            false);
            try {
                for (String layer : layers) {
                    INDArray activation = activations.get(layer);
                    INDArray vectors = activation.rank() == 4
                            ? (channelsLast ? activation.mean(1, 2) : activation.mean(2, 3))
                            : activation.reshape(size, -1);
                    float[][] rows = vectors.castTo(DataType.FLOAT).toFloatMatrix();
                    System.arraycopy(rows, 0, pooled.get(layer), from, size);
                }
            } finally {
                // Every layer's activations at once are several times one forward pass's memory: release them now.
                // The inputs are the caller's batch (or views of it) and stay open for the next one.
                activations.forEach((vertex, activation) -> {
                    if (!inputs.contains(vertex) && !activation.isView() && !activation.wasClosed()) {
                        activation.close();
                    }
                });
            }
            if ((from / BATCH) % (PROGRESS_EVERY / BATCH) == 0 || from + size == images.count()) {
                log.accept(String.format(
                        Locale.ROOT,
                        "  %s images: %d of %d (%.0f s)",
                        what,
                        from + size,
                        images.count(),
                        (System.nanoTime() - started) / 1e9));
            }
        }
        return pooled;
    }

    private record Probed(float[][] features, int[] labels) {

        DataSet dataSet(int classes) {
            return new DataSet(Nd4j.create(features), FeatureUtil.toOutcomeMatrix(labels, classes));
        }
    }

    private Row probe(String layer, Probed train, Probed validation, Probed test, int classes, long seed) {
        DataSet trainSet = train.dataSet(classes);
        DataSet validationSet = validation.dataSet(classes);
        DataSet testSet = test.dataSet(classes);
        NormalizerStandardize standardize = new NormalizerStandardize();
        standardize.fit(trainSet);
        standardize.preProcess(trainSet);
        standardize.preProcess(validationSet);
        standardize.preProcess(testSet);
        Row best = null;
        for (double l2 : L2_STRENGTHS) {
            MultiLayerNetwork regression = softmaxRegression(train.features()[0].length, classes, l2, seed);
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                regression.fit(trainSet);
            }
            double validationAccuracy = accuracy(regression, validationSet, classes);
            if (best == null || validationAccuracy > best.validationAccuracy()) {
                best = new Row(
                        layer,
                        train.features()[0].length,
                        validationAccuracy,
                        accuracy(regression, testSet, classes),
                        l2);
            }
        }
        log.accept(String.format(
                Locale.ROOT,
                "  %s: validation %.3f, test %.3f",
                layer,
                best.validationAccuracy(),
                best.testAccuracy()));
        return best;
    }

    private static MultiLayerNetwork softmaxRegression(int features, int classes, double l2, long seed) {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(LEARNING_RATE))
                .l2(l2)
                .list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(features)
                        .nOut(classes)
                        .activation(Activation.SOFTMAX)
                        .weightInit(WeightInit.XAVIER)
                        .build())
                .build());
        network.init();
        return network;
    }

    private static double accuracy(MultiLayerNetwork network, DataSet data, int classes) {
        Evaluation evaluation = new Evaluation(classes);
        evaluation.eval(data.getLabels(), network.output(data.getFeatures(), false));
        return evaluation.accuracy();
    }

    private static float[][] concatenate(Map<String, float[][]> pooled, List<String> layers) {
        int images = pooled.get(layers.get(0)).length;
        float[][] rows = new float[images][];
        for (int i = 0; i < images; i++) {
            int length = 0;
            for (String layer : layers) {
                length += pooled.get(layer)[i].length;
            }
            rows[i] = new float[length];
            int at = 0;
            for (String layer : layers) {
                float[] part = pooled.get(layer)[i];
                System.arraycopy(part, 0, rows[i], at, part.length);
                at += part.length;
            }
        }
        return rows;
    }

    /** Prints the rows as a Markdown table. */
    public static void print(BaseNetwork base, List<Row> rows, Settings settings, PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "Linear probes on %s's layers (channel averages, standardised; softmax regression, L2 one of %s "
                        + "by validation accuracy). Fashion-MNIST test images 0-%d: %d labeled images per class, "
                        + "tested on images %d-%d%n%n",
                base.id().name(),
                L2_STRENGTHS.stream().map(String::valueOf).collect(Collectors.joining(", ")),
                FewLabels.POOL - 1,
                settings.labeledPerClass(),
                FewLabels.testFrom(settings.testImages()),
                FewLabels.POOL - 1);
        out.println("| layer | features | validation accuracy | test accuracy | L2 |");
        out.println("|---|---:|---:|---:|---:|");
        for (Row row : rows) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %d | %.3f | %.3f | %s |%n",
                    row.layer(),
                    row.features(),
                    row.validationAccuracy(),
                    row.testAccuracy(),
                    row.l2());
        }
    }
}
