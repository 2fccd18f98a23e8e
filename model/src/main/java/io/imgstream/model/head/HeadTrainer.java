package io.imgstream.model.head;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.model.evaluation.EpochMetrics;
import io.imgstream.model.evaluation.EvaluationResult;
import io.imgstream.model.evaluation.TrainingCurves;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a head ({@link HeadBuilder}) on labelled bottleneck features: minibatch RMSprop over
 * shuffled examples, the validation loss after every epoch driving early stopping and
 * reduce-LR-on-plateau, optional class weights, and optional checkpoints from which {@link #resume}
 * continues a run exactly (same shuffles, same dropout masks, same updater state).
 *
 * <p>After each epoch the head is evaluated in inference mode on the whole training and validation
 * sets; these numbers form the {@link TrainingCurves}. Losses are unweighted mean cross-entropy
 * whatever the class weighting, so curves stay comparable.
 *
 * <p>Checkpoints: after every epoch, the head with its updater state is written to {@code
 * head-epoch-NNNN.zip}, the best head so far to {@code head-best-epoch-NNNN.zip}, and then the
 * {@link HeadCheckpoint} to {@value #STATE_FILE}; each file is written to a temporary name and
 * moved into place, and older networks are deleted only after the state naming the new ones is in
 * place, so a crash at any point leaves a consistent checkpoint.
 *
 * <p>Not thread-safe: training mutates the head, and the seed is applied to the calling thread's
 * ND4J random generator.
 */
public final class HeadTrainer {

    /** Name of the training-state file in a checkpoint directory. */
    public static final String STATE_FILE = "head-state.json";

    private static final String LATEST_PATTERN = "head-epoch-%04d.zip";
    private static final String BEST_PATTERN = "head-best-epoch-%04d.zip";
    private static final String MODEL_GLOB = "head-*.zip";
    private static final long EPOCH_SEED_STRIDE = 1_000_003L;

    private final HeadTrainingConfig config;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * Creates a trainer.
     *
     * @param config how to train
     */
    public HeadTrainer(HeadTrainingConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Trains a head in place without checkpoints.
     *
     * @param head       a head from {@link HeadBuilder} whose inputs match the data's shapes; changed in place
     * @param train      training examples; not empty, labels below the head's class count
     * @param validation validation examples; not empty, labels below the head's class count
     * @param onEpoch    called after every epoch
     * @return the result
     * @throws IllegalArgumentException if a data set is empty or has a label the head can't output
     */
    public HeadTrainingResult train(
            ComputationGraph head, LabeledFeatures train, LabeledFeatures validation, Consumer<EpochMetrics> onEpoch) {
        return run(head, train, validation, null, onEpoch, fresh(head));
    }

    /**
     * Trains a head in place, checkpointing into a directory after every epoch.
     *
     * @param head        as for {@link #train(ComputationGraph, LabeledFeatures, LabeledFeatures, Consumer)}
     * @param train       training examples
     * @param validation  validation examples
     * @param checkpoints directory for checkpoints; created if missing; an earlier run's files there are replaced
     * @param onEpoch     called after every epoch
     * @return the result
     * @throws IOException if a checkpoint can't be written
     */
    public HeadTrainingResult train(
            ComputationGraph head,
            LabeledFeatures train,
            LabeledFeatures validation,
            Path checkpoints,
            Consumer<EpochMetrics> onEpoch)
            throws IOException {
        Objects.requireNonNull(checkpoints, "checkpoints");
        Files.createDirectories(checkpoints);
        try {
            return run(head, train, validation, checkpoints, onEpoch, fresh(head));
        } catch (UncheckedCheckpointException e) {
            throw e.getCause();
        }
    }

    /**
     * Continues a checkpointed run: loads the latest head (with its updater state) and the training
     * state, and trains on from the next epoch as if never interrupted. Pass the same data and
     * config as the interrupted run. A run that had already finished returns at once.
     *
     * @param checkpoints the directory a {@code train} call checkpointed into
     * @param train       training examples
     * @param validation  validation examples
     * @param onEpoch     called after every further epoch
     * @return the result, with curves covering all epochs
     * @throws IOException if the checkpoint is missing, unreadable or inconsistent
     */
    public HeadTrainingResult resume(
            Path checkpoints, LabeledFeatures train, LabeledFeatures validation, Consumer<EpochMetrics> onEpoch)
            throws IOException {
        Objects.requireNonNull(checkpoints, "checkpoints");
        Path stateFile = checkpoints.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile)) {
            throw new IOException("no head checkpoint in " + checkpoints + ": " + STATE_FILE + " is missing");
        }
        HeadCheckpoint state = json.readValue(stateFile.toFile(), HeadCheckpoint.class);
        ComputationGraph head = ModelSerializer.restoreComputationGraph(
                checkpoints.resolve(state.latestModel()).toFile(), true);
        head.setLearningRate(state.learningRate());
        Progress progress = new Progress(state);
        if (state.bestModel() != null) {
            progress.bestParams = ModelSerializer.restoreComputationGraph(
                            checkpoints.resolve(state.bestModel()).toFile(), false)
                    .params()
                    .dup();
        }
        try {
            return run(head, train, validation, checkpoints, onEpoch, progress);
        } catch (UncheckedCheckpointException e) {
            throw e.getCause();
        }
    }

    /**
     * Measures loss and accuracy in inference mode (no dropout, no weight update).
     *
     * @param head a head
     * @param data labelled examples; not empty, labels below the head's class count
     * @return unweighted mean cross-entropy and accuracy over all examples
     */
    public EvaluationResult evaluate(ComputationGraph head, LabeledFeatures data) {
        int classes = ClassOutputs.classCount(head);
        requireFits(data, "evaluation", classes);
        int[] order = ExampleOrder.identity(data.count());
        ClassificationTally tally = new ClassificationTally();
        for (int from = 0; from < order.length; from += config.batchSize()) {
            int size = Math.min(config.batchSize(), order.length - from);
            float[][] probabilities =
                    ClassOutputs.probabilities(head.output(false, data.batch(order, from, size))[0], classes);
            for (int row = 0; row < size; row++) {
                tally.add(probabilities[row], data.labels()[from + row]);
            }
        }
        return tally.result();
    }

    private HeadTrainingResult run(
            ComputationGraph head,
            LabeledFeatures train,
            LabeledFeatures validation,
            Path checkpoints,
            Consumer<EpochMetrics> onEpoch,
            Progress progress) {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(onEpoch, "onEpoch");
        int classes = ClassOutputs.classCount(head);
        requireFits(train, "training", classes);
        requireFits(validation, "validation", classes);
        float[] weights = config.classWeighting().weights(train.countsPerClass(classes));
        int[] order = ExampleOrder.identity(train.count());
        while (!progress.stoppedEarly && progress.epoch < config.maxEpochs()) {
            int epoch = progress.epoch + 1;
            long started = System.nanoTime();
            long epochSeed = config.seed() * EPOCH_SEED_STRIDE + epoch;
            Nd4j.getRandom().setSeed(epochSeed);
            // Start every epoch from the same order, so its shuffle depends on the epoch alone and a resume repeats it.
            Arrays.setAll(order, i -> i);
            ExampleOrder.shuffle(order, new Random(epochSeed));
            int from = 0;
            while (from < order.length) {
                int size = trainingBatchSize(from, order.length);
                INDArray labels = ClassOutputs.encode(train.labels(), order, from, size, classes);
                INDArray[] labelMasks = weights == null
                        ? null
                        : new INDArray[] {exampleWeights(train.labels(), order, from, size, weights)};
                head.fit(new MultiDataSet(train.batch(order, from, size), new INDArray[] {labels}, null, labelMasks));
                from += size;
            }
            EvaluationResult onTrain = evaluate(head, train);
            EvaluationResult onValidation = evaluate(head, validation);
            EpochMetrics metrics = EpochMetrics.of(epoch, onTrain, onValidation, started);
            progress.record(metrics, head);
            if (checkpoints != null) {
                checkpoint(checkpoints, head, progress);
            }
            onEpoch.accept(metrics);
        }
        if (config.restoreBestWeights() && progress.bestParams != null) {
            head.setParams(progress.bestParams);
        }
        return new HeadTrainingResult(
                head,
                progress.curves,
                progress.bestEpoch,
                progress.bestLoss,
                progress.stoppedEarly,
                progress.learningRate);
    }

    private Progress fresh(ComputationGraph head) {
        Objects.requireNonNull(head, "head");
        return new Progress(learningRateOf(head));
    }

    private void checkpoint(Path directory, ComputationGraph head, Progress progress) {
        try {
            String latest = String.format(Locale.ROOT, LATEST_PATTERN, progress.epoch);
            writeAtomically(directory, latest, target -> ModelSerializer.writeModel(head, target.toFile(), true));
            if (progress.bestEpoch == progress.epoch) {
                progress.bestModel = String.format(Locale.ROOT, BEST_PATTERN, progress.epoch);
                writeAtomically(
                        directory,
                        progress.bestModel,
                        target -> ModelSerializer.writeModel(head, target.toFile(), false));
            }
            HeadCheckpoint state = new HeadCheckpoint(
                    progress.epoch,
                    progress.learningRate,
                    progress.bestEpoch,
                    progress.bestLoss,
                    progress.epochsWithoutImprovement,
                    progress.epochsOnPlateau,
                    progress.stoppedEarly,
                    latest,
                    progress.bestModel,
                    progress.curves);
            writeAtomically(directory, STATE_FILE, target -> json.writeValue(target.toFile(), state));
            try (Stream<Path> files = Files.list(directory)) {
                for (Path old : files.filter(f -> f.getFileSystem()
                                        .getPathMatcher("glob:" + MODEL_GLOB)
                                        .matches(f.getFileName())
                                && !f.getFileName().toString().equals(latest)
                                && !f.getFileName().toString().equals(state.bestModel()))
                        .toList()) {
                    Files.deleteIfExists(old);
                }
            }
        } catch (IOException e) {
            throw new UncheckedCheckpointException(
                    new IOException("could not write a head checkpoint to " + directory, e));
        }
    }

    private static void writeAtomically(Path directory, String name, FileWriter writer) throws IOException {
        Path temporary = directory.resolve(name + ".tmp");
        writer.write(temporary);
        Files.move(
                temporary,
                directory.resolve(name),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The minibatch starting at {@code from}; one that would leave a single example behind takes it along, because
     * DL4J reads a one-row label mask as a per-output mask, which softmax cross-entropy refuses.
     */
    private int trainingBatchSize(int from, int count) {
        int size = Math.min(config.batchSize(), count - from);
        return count - from - size == 1 ? size + 1 : size;
    }

    /** Per-example weights as a label mask: DL4J multiplies each example's loss and gradient by its mask value. */
    static INDArray exampleWeights(int[] labels, int[] order, int from, int size, float[] weights) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = weights[labels[order[from + i]]];
        }
        return Nd4j.create(values, new long[] {size, 1}, 'c');
    }

    private static double learningRateOf(ComputationGraph head) {
        // Every layer of a head shares one updater; the output layer is the one every head has.
        return head.getLayer(HeadBuilder.OUTPUT)
                .conf()
                .getLayer()
                .getUpdaterByParam("W")
                .getLearningRate(0, 0);
    }

    @FunctionalInterface
    private interface FileWriter {
        void write(Path target) throws IOException;
    }

    /** Thrown out of the epoch loop when a checkpoint fails, and unwrapped by the public methods. */
    private static final class UncheckedCheckpointException extends RuntimeException {
        UncheckedCheckpointException(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** Mutable run state: what a checkpoint stores. */
    private final class Progress {
        int epoch;
        double learningRate;
        int bestEpoch;
        double bestLoss = Double.POSITIVE_INFINITY;
        int epochsWithoutImprovement;
        int epochsOnPlateau;
        boolean stoppedEarly;
        String bestModel;
        TrainingCurves curves = TrainingCurves.empty();
        INDArray bestParams;

        Progress(double learningRate) {
            this.learningRate = learningRate;
        }

        Progress(HeadCheckpoint state) {
            epoch = state.epoch();
            learningRate = state.learningRate();
            bestEpoch = state.bestEpoch();
            bestLoss = state.bestValidationLoss();
            epochsWithoutImprovement = state.epochsWithoutImprovement();
            epochsOnPlateau = state.epochsOnPlateau();
            stoppedEarly = state.stoppedEarly();
            bestModel = state.bestModel();
            curves = state.curves();
        }

        void record(EpochMetrics metrics, ComputationGraph head) {
            epoch = metrics.epoch();
            curves = curves.plus(metrics);
            if (metrics.validationLoss() < bestLoss - config.minImprovement()) {
                bestLoss = metrics.validationLoss();
                bestEpoch = epoch;
                bestParams = head.params().dup();
                epochsWithoutImprovement = 0;
                epochsOnPlateau = 0;
                return;
            }
            epochsWithoutImprovement++;
            epochsOnPlateau++;
            if (epochsOnPlateau >= config.plateauPatience()) {
                learningRate = Math.max(config.minLearningRate(), learningRate * config.plateauFactor());
                head.setLearningRate(learningRate);
                epochsOnPlateau = 0;
            }
            stoppedEarly = epochsWithoutImprovement >= config.earlyStoppingPatience();
        }
    }

    private static void requireFits(LabeledFeatures data, String role, int classes) {
        Objects.requireNonNull(data, role + " data");
        ClassOutputs.requireFits(role, data.count(), data.classCount(), classes);
    }
}
