package io.imgstream.model.training;

import io.imgstream.model.evaluation.EpochMetrics;
import io.imgstream.model.evaluation.EvaluationResult;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.head.ClassificationTally;
import io.imgstream.model.head.ExampleOrder;
import io.imgstream.model.preprocess.Preprocessing;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a single-input, single-softmax-output {@link ComputationGraph} on {@link LabeledImages}
 * with minibatch gradient descent (the optimiser is the network's own updater), shuffling the
 * training images before every epoch, and records {@link TrainingCurves}.
 *
 * <p>Every image is preprocessed by the given {@link Preprocessing}, minibatch by minibatch, so
 * memory stays at one minibatch whatever the data set size, and training sees exactly what
 * scoring will see.
 *
 * <p>After each epoch the network is evaluated in inference mode on the whole training set and on
 * the validation set; this costs about one third of an epoch's training time again and makes the
 * two curves comparable.
 *
 * <p>Not thread-safe: an instance has no state of its own, but training mutates the network, and
 * the seed is applied to the calling thread's ND4J random generator.
 */
public final class ClassifierTrainer {

    private final Preprocessing preprocessing;
    private final TrainingConfig config;

    /**
     * Creates a trainer.
     *
     * @param preprocessing how images become network input; must match the network's input
     * @param config        epochs, minibatch size and seed
     */
    public ClassifierTrainer(Preprocessing preprocessing, TrainingConfig config) {
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Trains the network in place for {@link TrainingConfig#epochs()} epochs.
     *
     * @param network    the network to train; changed in place
     * @param train      training images; not empty, labels below the network's output size
     * @param validation validation images; not empty, labels below the network's output size
     * @param onEpoch    called after every epoch, e.g. to report progress
     * @return the learning curves, one entry per epoch
     * @throws IllegalArgumentException if a data set is empty or has a label the network can't output
     */
    public TrainingCurves train(
            ComputationGraph network, LabeledImages train, LabeledImages validation, Consumer<EpochMetrics> onEpoch) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(onEpoch, "onEpoch");
        int classes = ClassOutputs.outputUnits(network);
        requireFits(train, "training", classes);
        requireFits(validation, "validation", classes);
        Nd4j.getRandom().setSeed(config.seed());
        Random shuffle = new Random(config.seed());
        int[] order = ExampleOrder.identity(train.count());
        TrainingCurves curves = TrainingCurves.empty();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            long started = System.nanoTime();
            ExampleOrder.shuffle(order, shuffle);
            for (int from = 0; from < order.length; from += config.batchSize()) {
                int size = Math.min(config.batchSize(), order.length - from);
                network.fit(new DataSet(features(train, order, from, size), oneHot(train, order, from, size, classes)));
            }
            EvaluationResult onTrain = evaluate(network, train);
            EvaluationResult onValidation = evaluate(network, validation);
            EpochMetrics metrics = EpochMetrics.of(epoch, onTrain, onValidation, started);
            curves = curves.plus(metrics);
            onEpoch.accept(metrics);
        }
        return curves;
    }

    /**
     * Measures loss and accuracy in inference mode (no dropout, no weight update).
     *
     * @param network the network
     * @param data    labelled images; not empty, labels below the network's output size
     * @return loss and accuracy over all images
     */
    public EvaluationResult evaluate(ComputationGraph network, LabeledImages data) {
        Objects.requireNonNull(network, "network");
        int classes = ClassOutputs.outputUnits(network);
        requireFits(data, "evaluation", classes);
        int[] order = new int[data.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        ClassificationTally tally = new ClassificationTally();
        for (int from = 0; from < order.length; from += config.batchSize()) {
            int size = Math.min(config.batchSize(), order.length - from);
            float[][] probabilities = network.outputSingle(false, features(data, order, from, size))
                    .castTo(DataType.FLOAT)
                    .toFloatMatrix();
            for (int row = 0; row < size; row++) {
                tally.add(probabilities[row], data.label(order[from + row]));
            }
        }
        return tally.result();
    }

    private INDArray features(LabeledImages data, int[] order, int from, int size) {
        int imageLength = preprocessing.channels() * preprocessing.height() * preprocessing.width();
        float[] values = new float[size * imageLength];
        for (int i = 0; i < size; i++) {
            System.arraycopy(
                    preprocessing.toArray(data.image(order[from + i])), 0, values, i * imageLength, imageLength);
        }
        return Nd4j.create(values, preprocessing.batchShape(size), 'c');
    }

    private static INDArray oneHot(LabeledImages data, int[] order, int from, int size, int classes) {
        float[] values = new float[size * classes];
        for (int i = 0; i < size; i++) {
            values[i * classes + data.label(order[from + i])] = 1f;
        }
        return Nd4j.create(values, new long[] {size, classes}, 'c');
    }

    private static void requireFits(LabeledImages data, String role, int classes) {
        Objects.requireNonNull(data, role + " data");
        ClassOutputs.requireFits(role, data.count(), data.classCount(), classes);
    }
}
