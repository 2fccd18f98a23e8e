package io.imgstream.model.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.imgstream.model.evaluation.EvaluationResult;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class LinearHeadTrainerTest {

    private static final LinearHeadTrainingConfig FAST =
            new LinearHeadTrainingConfig(List.of(1e-3, 1e-1, 10.0), 100, 1e-2, 7, ClassWeighting.BALANCED, true);

    private static ComputationGraph linearHead(int classes) {
        return HeadBuilder.build(SyntheticFeatures.SHAPE, classes, HeadConfig.linear(HeadPooling.FLATTEN), 1);
    }

    @Test
    void shouldLearnFeaturesOfVeryDifferentScalesAndScoreThemAsTheBaseGivesThem() {
        // Like an intermediate layer's channels: what separates the classes is a million times quieter than the rest.
        LabeledFeatures train = quietSignal(SyntheticFeatures.clusters(new int[] {40, 40, 40}, 2.0, 1));
        LabeledFeatures validation = quietSignal(SyntheticFeatures.clusters(new int[] {10, 10, 10}, 2.0, 2));
        LabeledFeatures test = quietSignal(SyntheticFeatures.clusters(new int[] {50, 50, 50}, 2.0, 3));

        LinearHeadTrainer.Result result = new LinearHeadTrainer(FAST).train(linearHead(3), train, validation, l -> {});

        EvaluationResult onTest = new HeadTrainer(HeadTrainingConfig.defaults()).evaluate(result.head(), test);
        assertThat(onTest.accuracy())
                .as("the head itself, on raw features it never saw: the standardisation is folded into it")
                .isGreaterThan(0.9);
        assertThat(result.onFitted().count()).isEqualTo(150);
        assertThat(result.curves().lastEpoch()).isEqualTo(100);
        assertThat(result.curves().epochs())
                .as("a point every few steps, not one per step")
                .isBetween(30, 40);
    }

    @Test
    void shouldKeepTheStrengthWithTheBestValidationAccuracy() {
        LabeledFeatures train = SyntheticFeatures.clusters(new int[] {30, 30, 30}, 1.0, 4);
        LabeledFeatures validation = SyntheticFeatures.clusters(new int[] {20, 20, 20}, 1.0, 5);

        LinearHeadTrainer.Result result = new LinearHeadTrainer(FAST).train(linearHead(3), train, validation, l -> {});

        assertThat(result.byStrength()).containsOnlyKeys(1e-3, 1e-1, 10.0);
        double best = result.byStrength().values().stream()
                .mapToDouble(EvaluationResult::accuracy)
                .max()
                .orElseThrow();
        assertThat(result.byStrength().get(result.l2()).accuracy()).isEqualTo(best);
        assertThat(result.byStrength().get(10.0).accuracy())
                .as("so strong a penalty leaves the weights near zero: %s", result.byStrength())
                .isLessThan(best);
    }

    @Test
    void shouldGiveNoWeightToAFeatureThatNeverVaried() {
        LabeledFeatures train = constantLast(SyntheticFeatures.clusters(new int[] {30, 30}, 2.0, 6), 0);
        LabeledFeatures validation = constantLast(SyntheticFeatures.clusters(new int[] {10, 10}, 2.0, 7), 0);
        ComputationGraph head = new LinearHeadTrainer(FAST)
                .train(linearHead(2), train, validation, l -> {})
                .head();
        LabeledFeatures test = SyntheticFeatures.clusters(new int[] {5, 5}, 2.0, 8);
        int[] order = ExampleOrder.identity(test.count());

        INDArray quiet = head.outputSingle(false, constantLast(test, 0).batch(order, 0, test.count()));
        INDArray loud = head.outputSingle(false, constantLast(test, 1e6f).batch(order, 0, test.count()));

        assertThat(loud).isEqualTo(quiet);
    }

    @Test
    void shouldNotLetAFeatureThatBarelyVariedInTrainingDecideANewExample() {
        // Like a channel that fired faintly on one of a few dozen training images and fires as strongly as any other
        // on a new one: standardised by its own tiny deviation, it stood thousands of deviations out.
        LabeledFeatures train = constantLast(SyntheticFeatures.clusters(new int[] {30, 30}, 2.0, 10), 0);
        train.inputs().get(0)[0][15] = 1e-3f;
        LabeledFeatures validation = constantLast(SyntheticFeatures.clusters(new int[] {10, 10}, 2.0, 11), 0);
        ComputationGraph head = new LinearHeadTrainer(FAST)
                .train(linearHead(2), train, validation, l -> {})
                .head();
        LabeledFeatures test = SyntheticFeatures.clusters(new int[] {5, 5}, 2.0, 12);
        int[] order = ExampleOrder.identity(test.count());

        INDArray silent = head.outputSingle(false, constantLast(test, 0).batch(order, 0, test.count()));
        INDArray firing = head.outputSingle(false, constantLast(test, 1).batch(order, 0, test.count()));

        assertThat(firing.argMax(1).toIntVector())
                .as("the class of every example")
                .containsExactly(silent.argMax(1).toIntVector());
        assertThat(firing.sub(silent).amaxNumber().doubleValue())
                .as("largest change of a class probability (0.99 with the feature's own deviation)")
                .isLessThan(0.5);
    }

    @Test
    void shouldKeepTheRegressionTheValidationExamplesMeasuredWhenTheyAreNotToBeFittedOn() {
        LabeledFeatures train = SyntheticFeatures.clusters(new int[] {30, 30, 30}, 1.0, 13);
        LabeledFeatures validation = SyntheticFeatures.clusters(new int[] {20, 20, 20}, 1.0, 14);

        LinearHeadTrainer.Result result =
                new LinearHeadTrainer(FAST.withoutFitOnValidation()).train(linearHead(3), train, validation, l -> {});

        assertThat(result.onFitted().count()).isEqualTo(90);
        EvaluationResult onValidation =
                new HeadTrainer(HeadTrainingConfig.defaults()).evaluate(result.head(), validation);
        assertThat(onValidation.accuracy())
                .as("the head, folded, measures on the validation examples what the search measured")
                .isEqualTo(result.byStrength().get(result.l2()).accuracy());
        assertThat(onValidation.loss())
                .isCloseTo(result.byStrength().get(result.l2()).loss(), within(1e-3));
    }

    @Test
    void shouldRefuseAHeadWithAHiddenLayer() {
        LabeledFeatures data = SyntheticFeatures.clusters(new int[] {5, 5}, 2.0, 9);
        ComputationGraph dense = HeadBuilder.build(SyntheticFeatures.SHAPE, 2, HeadConfig.defaults(), 1);

        assertThatThrownBy(() -> new LinearHeadTrainer(FAST).train(dense, data, data, l -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no hidden layer");
    }

    private static LabeledFeatures quietSignal(LabeledFeatures features) {
        for (float[] row : features.inputs().get(0)) {
            for (int f = 0; f < row.length; f++) {
                row[f] *= f < 12 ? 1e-3f : 1e3f;
            }
        }
        return features;
    }

    private static LabeledFeatures constantLast(LabeledFeatures features, float value) {
        for (float[] row : features.inputs().get(0)) {
            row[row.length - 1] = value;
        }
        return features;
    }
}
