package io.imgstream.model.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.imgstream.model.evaluation.EpochMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadTrainerTest {

    private static final HeadConfig SMALL =
            new HeadConfig(HeadPooling.FLATTEN, 32, 0.5, 1e-2, HeadConfig.DEFAULT_RMS_DECAY, false);
    private static final HeadTrainingConfig FAST =
            new HeadTrainingConfig(30, 16, 3, 5, 1e-4, 2, 0.5, 1e-6, ClassWeighting.NONE, true);

    @Test
    void shouldLearnSeparableFeaturesAndRecordOneCurvePointPerEpoch() {
        LabeledFeatures train = SyntheticFeatures.clusters(new int[] {60, 60, 60}, 2.0, 1);
        LabeledFeatures validation = SyntheticFeatures.clusters(new int[] {30, 30, 30}, 2.0, 2);
        ComputationGraph head = HeadBuilder.build(SyntheticFeatures.SHAPE, 3, SMALL, 1);
        List<EpochMetrics> reported = new ArrayList<>();

        HeadTrainingResult result =
                new HeadTrainer(FAST.withMaxEpochs(5)).train(head, train, validation, reported::add);

        assertThat(result.curves().epoch()).containsExactly(1, 2, 3, 4, 5);
        assertThat(reported)
                .extracting(EpochMetrics::validationLoss)
                .containsExactlyElementsOf(result.curves().validationLoss());
        assertThat(result.curves().validationAccuracy().get(4))
                .as("curves %s", result.curves())
                .isGreaterThan(0.9);
        assertThat(result.head()).isSameAs(head);
    }

    @Test
    void shouldLearnFeaturesOfVeryDifferentScalesOnlyWhenNormalized() {
        // Like an intermediate layer's channels: what separates the classes is a thousand times quieter than the rest.
        LabeledFeatures train = quietSignal(SyntheticFeatures.clusters(new int[] {60, 60, 60}, 2.0, 1));
        LabeledFeatures validation = quietSignal(SyntheticFeatures.clusters(new int[] {30, 30, 30}, 2.0, 2));
        HeadTrainer trainer = new HeadTrainer(FAST.withMaxEpochs(10));

        HeadTrainingResult raw =
                trainer.train(HeadBuilder.build(SyntheticFeatures.SHAPE, 3, SMALL, 1), train, validation, e -> {});
        HeadTrainingResult normalized = trainer.train(
                HeadBuilder.build(SyntheticFeatures.SHAPE, 3, SMALL.withNormalized(true), 1),
                train,
                validation,
                e -> {});

        assertThat(trainer.evaluate(normalized.head(), validation).accuracy())
                .as("normalized, curves %s", normalized.curves())
                .isGreaterThan(0.9);
        assertThat(trainer.evaluate(raw.head(), validation).accuracy())
                .as("raw, curves %s", raw.curves())
                .isLessThan(0.7);
    }

    private static LabeledFeatures quietSignal(LabeledFeatures features) {
        float[][] rows = features.inputs().get(0);
        for (float[] row : rows) {
            for (int f = 0; f < row.length; f++) {
                row[f] *= f < 12 ? 1e-3f : 1e3f;
            }
        }
        return features;
    }

    @Test
    void shouldStopEarlyReduceTheLearningRateAndRestoreTheBestEpochWhenThereIsNothingToLearn() {
        LabeledFeatures train = SyntheticFeatures.noise(120, 3, 1);
        LabeledFeatures validation = SyntheticFeatures.noise(60, 3, 2);
        ComputationGraph head = HeadBuilder.build(SyntheticFeatures.SHAPE, 3, SMALL, 1);
        HeadTrainer trainer = new HeadTrainer(FAST);

        HeadTrainingResult result = trainer.train(head, train, validation, epoch -> {});

        assertThat(result.stoppedEarly()).as("curves %s", result.curves()).isTrue();
        assertThat(result.curves().epochs()).isEqualTo(result.bestEpoch() + FAST.earlyStoppingPatience());
        assertThat(result.learningRate())
                .as("halved after every %d epochs on a plateau", FAST.plateauPatience())
                .isLessThan(SMALL.learningRate());
        assertThat(result.bestValidationLoss())
                .isEqualTo(Collections.min(result.curves().validationLoss()));
        assertThat(trainer.evaluate(head, validation).loss())
                .as("the best epoch's weights are back")
                .isCloseTo(result.bestValidationLoss(), within(1e-6));
    }

    @Test
    void shouldResumeFromACheckpointExactlyAsIfNeverInterrupted(@TempDir Path directory) throws IOException {
        LabeledFeatures train = SyntheticFeatures.clusters(new int[] {40, 40, 40}, 1.0, 1);
        LabeledFeatures validation = SyntheticFeatures.clusters(new int[] {20, 20, 20}, 1.0, 2);
        HeadTrainingConfig fourEpochs =
                new HeadTrainingConfig(4, 16, 3, 10, 1e-4, 1, 0.5, 1e-6, ClassWeighting.NONE, false);
        HeadTrainingResult uninterrupted = new HeadTrainer(fourEpochs)
                .train(
                        HeadBuilder.build(SyntheticFeatures.SHAPE, 3, SMALL, 1),
                        train,
                        validation,
                        directory.resolve("a"),
                        epoch -> {});

        Path interrupted = directory.resolve("b");
        new HeadTrainer(fourEpochs.withMaxEpochs(2))
                .train(
                        HeadBuilder.build(SyntheticFeatures.SHAPE, 3, SMALL, 1),
                        train,
                        validation,
                        interrupted,
                        epoch -> {});
        HeadTrainingResult resumed = new HeadTrainer(fourEpochs).resume(interrupted, train, validation, epoch -> {});

        assertThat(resumed.curves().epoch()).containsExactly(1, 2, 3, 4);
        for (int e = 0; e < 4; e++) {
            assertThat(resumed.curves().validationLoss().get(e))
                    .as("epoch %d", e + 1)
                    .isCloseTo(uninterrupted.curves().validationLoss().get(e), within(1e-5));
        }
        assertThat(resumed.learningRate()).isEqualTo(uninterrupted.learningRate());
        assertThat(resumed.head().params().equalsWithEps(uninterrupted.head().params(), 1e-5))
                .isTrue();
        try (var files = Files.list(interrupted)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .as("only the state, the latest and the best network are kept")
                    .contains(HeadTrainer.STATE_FILE, "head-epoch-0004.zip")
                    .hasSizeBetween(2, 3);
        }
    }

    @Test
    void shouldRaiseTheSmallClassProbabilityWithBalancedClassWeights() {
        LabeledFeatures train = SyntheticFeatures.clusters(new int[] {285, 15}, 1.0, 1);
        LabeledFeatures validation = SyntheticFeatures.clusters(new int[] {100, 100}, 1.0, 2);
        HeadTrainingConfig config =
                new HeadTrainingConfig(10, 16, 3, 20, 1e-4, 20, 0.5, 1e-6, ClassWeighting.NONE, false);

        double unweighted = meanProbabilityOfClassOne(new HeadTrainer(config), train, validation);
        double balanced = meanProbabilityOfClassOne(
                new HeadTrainer(config.withClassWeighting(ClassWeighting.BALANCED)), train, validation);

        assertThat(balanced)
                .as("mean p(class 1) on class-1 images; unweighted %.3f", unweighted)
                .isGreaterThan(unweighted + 0.2);
    }

    @Test
    void shouldWeighEveryExampleWhenTheLastMinibatchWouldHoldOnlyOne() {
        // 33 examples in minibatches of 16: DL4J can't take a one-row label mask, so the last example must ride along.
        LabeledFeatures train = SyntheticFeatures.clusters(new int[] {11, 11, 11}, 2.0, 1);
        HeadTrainingConfig balanced = FAST.withMaxEpochs(2).withClassWeighting(ClassWeighting.BALANCED);

        HeadTrainingResult result = new HeadTrainer(balanced)
                .train(HeadBuilder.build(SyntheticFeatures.SHAPE, 3, SMALL, 1), train, train, epoch -> {});

        assertThat(result.curves().epoch()).containsExactly(1, 2);
    }

    @Test
    void shouldTrainOneHeadOnTheConcatenatedFeaturesOfTwoBases() {
        // Base A sees only bit 0 of the class, base B only bit 1: neither alone can tell 4 classes apart.
        Random random = new Random(5);
        int count = 400;
        int[] labels = new int[count];
        float[][] a = new float[count][4];
        float[][] b = new float[count][3];
        for (int i = 0; i < count; i++) {
            labels[i] = i % 4;
            for (int f = 0; f < 4; f++) {
                a[i][f] = (float) (random.nextGaussian() * 0.5 + (labels[i] & 1) * 2);
            }
            for (int f = 0; f < 3; f++) {
                b[i][f] = (float) (random.nextGaussian() * 0.5 + (labels[i] >> 1) * 2);
            }
        }
        LabeledFeatures both = LabeledFeatures.concat(
                new LabeledFeatures(List.<float[][]>of(a), List.<long[]>of(new long[] {4}), labels),
                new LabeledFeatures(List.<float[][]>of(b), List.<long[]>of(new long[] {3}), labels));
        int[] trainRows = java.util.stream.IntStream.range(0, 300).toArray();
        int[] validationRows = java.util.stream.IntStream.range(300, 400).toArray();
        ComputationGraph head = HeadBuilder.build(both.shapes(), 4, SMALL, 1);

        new HeadTrainer(FAST.withMaxEpochs(15))
                .train(head, both.subset(trainRows), both.subset(validationRows), epoch -> {});

        assertThat(new HeadTrainer(FAST)
                        .evaluate(head, both.subset(validationRows))
                        .accuracy())
                .isGreaterThan(0.9);
    }

    private static double meanProbabilityOfClassOne(
            HeadTrainer trainer, LabeledFeatures train, LabeledFeatures validation) {
        // A gentle rate: at 1e-2, RMSprop steps on the rare minibatches holding a 19x-weighted example are erratic
        // (measured).
        ComputationGraph head = HeadBuilder.build(SyntheticFeatures.SHAPE, 2, SMALL.withLearningRate(1e-3), 1);
        trainer.train(head, train, validation, epoch -> {});
        int[] classOne = java.util.stream.IntStream.range(0, validation.count())
                .filter(i -> validation.labels()[i] == 1)
                .toArray();
        float[][] probabilities =
                ClassOutputs.probabilities(head.output(false, validation.batch(classOne, 0, classOne.length))[0], 2);
        double sum = 0;
        for (float[] row : probabilities) {
            sum += row[1];
        }
        return sum / probabilities.length;
    }
}
