package io.imgstream.model.head;

import io.imgstream.model.evaluation.EpochMetrics;
import io.imgstream.model.evaluation.EvaluationResult;
import io.imgstream.model.evaluation.TrainingCurves;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * Fits a linear head ({@link HeadConfig#linear}) as a linear probe is fitted: the pooled features are standardised
 * with the training examples' mean and deviation, and a softmax regression with L2 regularisation is trained on them
 * by full-batch Adam (its rate decayed over the last fifth of the steps) at each of
 * {@link LinearHeadTrainingConfig#l2Strengths()}; the strength with the best validation accuracy (the lower
 * validation loss between equals) is kept, and the regression is trained once more at it on the training and
 * validation examples together: with a few hundred labels, a quarter more is worth more than the validation images'
 * last use, unless they are what the head will be measured on ({@link LinearHeadTrainingConfig#fitOnValidation()}).
 * The standardisation is then folded into the head's output layer ({@code w / s}, {@code b - m w / s}), so the head
 * reads the features as the base gives them and scores like any other.
 *
 * <p>A feature constant over the examples it is standardised on (a channel that never fires) gets weight zero; one
 * that barely varied is scaled as if it varied a tenth as much as the median feature, so that an image on which it
 * fires can't stand hundreds of deviations out.
 *
 * <p>Why not {@link HeadTrainer}'s minibatch RMSprop and early stopping: a Dense(256) head stopped early on 100
 * validation images fell five points short of a linear probe on the same MobileNetV2 layer; the probe's strength,
 * chosen on those images, is what kept it from learning its 400 training images by heart.
 *
 * <p>Not thread-safe: the head is changed in place.
 */
public final class LinearHeadTrainer {

    private static final int FEATURE_BATCH = 64;
    /**
     * Points on the kept strength's curves: measuring both sets after every one of hundreds of full-batch steps, for
     * every strength, took two fifths of a fit.
     */
    private static final int CURVE_POINTS = 30;
    /** The learning rate at the last step, as a fraction of the configured one. */
    private static final double FINAL_RATE = 1e-2;

    private final LinearHeadTrainingConfig config;

    /**
     * Creates a trainer.
     *
     * @param config how to fit
     */
    public LinearHeadTrainer(LinearHeadTrainingConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * What a fit chose and measured.
     *
     * @param head         the trained head, the instance passed in
     * @param l2           the strength kept
     * @param byStrength   per strength tried, in order, the regression's validation loss and accuracy
     * @param curves       every few steps (the "epochs" of a full-batch fit), training and validation loss and
     *                     accuracy of the regression at the kept strength, before it was trained again on all
     *                     examples
     * @param onFitted     the final head's loss and accuracy on the examples it was fitted on: training and
     *                     validation, or training alone
     */
    public record Result(
            ComputationGraph head,
            double l2,
            Map<Double, EvaluationResult> byStrength,
            TrainingCurves curves,
            EvaluationResult onFitted)
            implements TrainedHead {

        public Result {
            byStrength = Collections.unmodifiableMap(new LinkedHashMap<>(byStrength));
        }
    }

    /**
     * Fits a linear head in place.
     *
     * @param head       a linear head from {@link HeadBuilder} whose inputs match the data's shapes; changed in place
     * @param train      training examples; not empty, labels below the head's class count
     * @param validation validation examples; not empty, labels below the head's class count
     * @param log        one line per strength tried, and one for the final fit
     * @return what was chosen
     * @throws IllegalArgumentException if the head has a hidden layer, a data set is empty or has a label the head
     *                                  can't output
     */
    public Result train(
            ComputationGraph head, LabeledFeatures train, LabeledFeatures validation, Consumer<String> log) {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(log, "log");
        if (head.getConfiguration().getVertices().containsKey(HeadBuilder.DENSE)) {
            throw new IllegalArgumentException("a linear head has no hidden layer; this head has " + HeadBuilder.DENSE);
        }
        int classes = ClassOutputs.classCount(head);
        ClassOutputs.requireFits("training", train.count(), train.classCount(), classes);
        ClassOutputs.requireFits("validation", validation.count(), validation.classCount(), classes);
        OutputLayer output =
                (OutputLayer) head.getLayer(HeadBuilder.OUTPUT).conf().getLayer();
        float[][] trainVectors = vectors(head, train);
        float[][] validationVectors = vectors(head, validation);

        Standardisation onTrain = Standardisation.of(trainVectors);
        DataSet trainSet = weighted(onTrain.apply(trainVectors), train, classes);
        INDArray validationSet = Nd4j.create(onTrain.apply(validationVectors));
        int every = Math.max(1, config.epochs() / CURVE_POINTS);
        Map<Double, EvaluationResult> byStrength = new LinkedHashMap<>();
        double best = Double.NaN;
        MultiLayerNetwork bestRegression = null;
        TrainingCurves bestCurves = TrainingCurves.empty();
        for (double l2 : config.l2Strengths()) {
            MultiLayerNetwork regression = regression(output, trainVectors[0].length, l2);
            TrainingCurves curves = TrainingCurves.empty();
            long started = System.nanoTime();
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                regression.fit(trainSet);
                if (epoch % every == 0 || epoch == config.epochs()) {
                    curves = curves.plus(EpochMetrics.of(
                            epoch,
                            evaluate(regression, trainSet.getFeatures(), train.labels(), classes),
                            evaluate(regression, validationSet, validation.labels(), classes),
                            started));
                    started = System.nanoTime();
                }
            }
            EvaluationResult onValidation = evaluate(regression, validationSet, validation.labels(), classes);
            byStrength.put(l2, onValidation);
            log.accept(String.format(
                    Locale.ROOT,
                    "L2 %s: validation accuracy %.3f, loss %.4f",
                    l2,
                    onValidation.accuracy(),
                    onValidation.loss()));
            EvaluationResult kept = Double.isNaN(best) ? null : byStrength.get(best);
            if (kept == null
                    || onValidation.accuracy() > kept.accuracy()
                    || (onValidation.accuracy() == kept.accuracy() && onValidation.loss() < kept.loss())) {
                best = l2;
                bestRegression = regression;
                bestCurves = curves;
            }
        }

        LabeledFeatures fittedOn = train;
        if (config.fitOnValidation()) {
            fittedOn = train.plus(validation);
            float[][] allVectors = concat(trainVectors, validationVectors);
            Standardisation onAll = Standardisation.of(allVectors);
            MultiLayerNetwork regression = regression(output, allVectors[0].length, best);
            DataSet allSet = weighted(onAll.apply(allVectors), fittedOn, classes);
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                regression.fit(allSet);
            }
            fold(regression, onAll, head);
        } else {
            fold(bestRegression, onTrain, head);
        }
        EvaluationResult onFitted = new HeadTrainer(HeadTrainingConfig.defaults()).evaluate(head, fittedOn);
        log.accept(String.format(
                Locale.ROOT,
                "linear head at L2 %s fitted on %d labelled examples (%s): accuracy %.3f on them",
                best,
                fittedOn.count(),
                config.fitOnValidation()
                        ? "training and validation"
                        : "training only: the validation examples measure it",
                onFitted.accuracy()));
        return new Result(head, best, byStrength, bestCurves, onFitted);
    }

    /** The head's pooled feature vectors, what its output layer reads. */
    private static float[][] vectors(ComputationGraph head, LabeledFeatures data) {
        String vertex = HeadBuilder.vectorVertex(head);
        int[] order = ExampleOrder.identity(data.count());
        float[][] rows = new float[data.count()][];
        for (int from = 0; from < rows.length; from += FEATURE_BATCH) {
            int size = Math.min(FEATURE_BATCH, rows.length - from);
            INDArray activations =
                    head.feedForward(data.batch(order, from, size), false).get(vertex);
            System.arraycopy(activations.castTo(DataType.FLOAT).toFloatMatrix(), 0, rows, from, size);
        }
        return rows;
    }

    /** The examples to fit on, each weighted as {@link LinearHeadTrainingConfig#classWeighting()} says. */
    private DataSet weighted(float[][] vectors, LabeledFeatures data, int classes) {
        int[] labels = data.labels();
        int[] order = ExampleOrder.identity(labels.length);
        float[] weights = config.classWeighting().weights(data.countsPerClass(classes));
        return new DataSet(
                Nd4j.create(vectors),
                ClassOutputs.encode(labels, order, 0, labels.length, classes),
                null,
                weights == null ? null : HeadTrainer.exampleWeights(labels, order, 0, labels.length, weights));
    }

    private MultiLayerNetwork regression(OutputLayer output, int inputs, double l2) {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(config.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(learningRates()))
                .l2(l2)
                .list()
                .layer(new OutputLayer.Builder(output.getLossFn())
                        .nIn(inputs)
                        .nOut(output.getNOut())
                        .activation(output.getActivationFn())
                        .weightInit(WeightInit.XAVIER)
                        .build())
                .build());
        network.init();
        return network;
    }

    /**
     * The configured rate for the first four fifths of the steps, then decayed a hundredfold by the last. At a constant
     * rate Adam circles the optimum, and the last step, the one kept and compared, lands anywhere on that circle
     * (seen: validation accuracy 0.74 for 250 steps, then 0.77 at the last); decayed from the first step, it stopped
     * short of the optimum (0.59 test accuracy where a constant rate reached 0.9 on {@code LinearHeadTrainerTest}'s
     * clusters).
     */
    private ISchedule learningRates() {
        int decayFrom = config.epochs() * 4 / 5;
        Map<Integer, Double> rates = new HashMap<>();
        rates.put(0, config.learningRate());
        for (int step = decayFrom; step < config.epochs(); step++) {
            double progress = (step - decayFrom + 1.0) / (config.epochs() - decayFrom);
            rates.put(step, config.learningRate() * Math.pow(FINAL_RATE, progress));
        }
        return new MapSchedule(ScheduleType.ITERATION, rates);
    }

    /** Unweighted mean cross-entropy and accuracy, as {@link HeadTrainer#evaluate} measures a head. */
    private static EvaluationResult evaluate(
            MultiLayerNetwork regression, INDArray vectors, int[] labels, int classes) {
        return ClassificationTally.of(ClassOutputs.probabilities(regression.output(vectors, false), classes), labels);
    }

    /** The regression's weights on standardised vectors as the head's output layer's on raw ones. */
    private static void fold(MultiLayerNetwork regression, Standardisation standardisation, ComputationGraph head) {
        INDArray weights = regression.getLayer(0).getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray bias = regression.getLayer(0).getParam(DefaultParamInitializer.BIAS_KEY);
        INDArray scale = Nd4j.create(standardisation.scale(), new long[] {standardisation.scale().length, 1}, 'c');
        INDArray mean = Nd4j.create(standardisation.mean(), new long[] {1, standardisation.mean().length}, 'c');
        INDArray folded = weights.mulColumnVector(scale);
        INDArray foldedBias = bias.sub(mean.mmul(folded));
        Layer target = head.getLayer(HeadBuilder.OUTPUT);
        DataType type = target.getParam(DefaultParamInitializer.WEIGHT_KEY).dataType();
        target.setParam(DefaultParamInitializer.WEIGHT_KEY, folded.castTo(type));
        target.setParam(DefaultParamInitializer.BIAS_KEY, foldedBias.castTo(type));
    }

    private static float[][] concat(float[][] first, float[][] second) {
        List<float[]> rows = new ArrayList<>(Arrays.asList(first));
        rows.addAll(Arrays.asList(second));
        return rows.toArray(float[][]::new);
    }

    /**
     * Per-feature mean and the reciprocal of the deviation; zero for a feature that does not vary.
     *
     * @param mean  per feature, its mean
     * @param scale per feature, one over its standard deviation, or 0
     */
    record Standardisation(float[] mean, float[] scale) {

        // Below this a feature is constant up to float rounding of the values pooled into it.
        private static final double CONSTANT = 1e-6;
        /**
         * No feature's deviation counts as less than this fraction of the median deviation. A channel that barely
         * fired on a few dozen training images has a tiny deviation; an image on which it fires as others do then
         * stood hundreds of deviations out (seen: 782, on nsfwjs MobileNetV2 with 25 training images) and its
         * prediction went wherever that one feature's weight pointed, with certainty. Floored, three Fashion-MNIST
         * classes on that network with 25 training images gained 1.6 points of accuracy on 300 test images (mean of
         * six splits) and their test loss fell by a third; ten classes with 400 training images did not move
         * (0.846 against 0.847). A higher floor would squash a base's quieter features where bases of different
         * scales are concatenated.
         */
        private static final double DEVIATION_FLOOR = 0.1;

        static Standardisation of(float[][] rows) {
            int features = rows[0].length;
            double[] sum = new double[features];
            double[] squares = new double[features];
            for (float[] row : rows) {
                for (int j = 0; j < features; j++) {
                    sum[j] += row[j];
                    squares[j] += (double) row[j] * row[j];
                }
            }
            float[] mean = new float[features];
            double[] deviation = new double[features];
            List<Double> varying = new ArrayList<>();
            for (int j = 0; j < features; j++) {
                double m = sum[j] / rows.length;
                mean[j] = (float) m;
                deviation[j] = Math.sqrt(Math.max(0, squares[j] / rows.length - m * m));
                if (deviation[j] > CONSTANT * Math.max(1, Math.abs(m))) {
                    varying.add(deviation[j]);
                } else {
                    deviation[j] = 0;
                }
            }
            Collections.sort(varying);
            double floor = varying.isEmpty() ? 0 : DEVIATION_FLOOR * varying.get(varying.size() / 2);
            float[] scale = new float[features];
            for (int j = 0; j < features; j++) {
                scale[j] = deviation[j] > 0 ? (float) (1 / Math.max(deviation[j], floor)) : 0f;
            }
            return new Standardisation(mean, scale);
        }

        float[][] apply(float[][] rows) {
            float[][] standardised = new float[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                standardised[i] = new float[mean.length];
                for (int j = 0; j < mean.length; j++) {
                    standardised[i][j] = (rows[i][j] - mean[j]) * scale[j];
                }
            }
            return standardised;
        }
    }
}
