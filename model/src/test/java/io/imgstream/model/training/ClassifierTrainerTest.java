package io.imgstream.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.imgstream.model.evaluation.EpochMetrics;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

class ClassifierTrainerTest {

    private static final Preprocessing PREPROCESSING =
            new Preprocessing(28, 28, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);
    private static final SmallCnn.Config TINY = new SmallCnn.Config(4, 3, 8, 3, 2, 16, 0.25, 3e-3, 0);
    private static final int TROUSER = 1;
    private static final int BAG = 8;

    /** Trousers (label 0) against bags (label 1) from the Fashion-MNIST sample: easy, real. */
    private static LabeledImages trousersAndBags(int from, int perClass) {
        LabeledImages sample = FashionMnistSample.trainingSubset();
        List<Integer> indices = new ArrayList<>();
        int[] seen = new int[sample.classCount()];
        for (int i = 0; i < sample.count(); i++) {
            int label = sample.label(i);
            if ((label == TROUSER || label == BAG) && seen[label]++ >= from && seen[label] <= from + perClass) {
                indices.add(i);
            }
        }
        LabeledImages selected =
                sample.subset(indices.stream().mapToInt(Integer::intValue).toArray());
        int[] binary = new int[selected.count()];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = selected.label(i) == TROUSER ? 0 : 1;
        }
        return new LabeledImages(selected.count(), selected.height(), selected.width(), selected.pixels(), binary);
    }

    @Test
    void shouldLearnARealTaskAndRecordOneCurvePointPerEpoch() {
        LabeledImages train = trousersAndBags(0, 100);
        LabeledImages validation = trousersAndBags(200, 50);
        ComputationGraph network = SmallCnn.build(1, 28, 28, 2, 1, TINY);
        ClassifierTrainer trainer = new ClassifierTrainer(PREPROCESSING, new TrainingConfig(3, 16, 1));
        double lossBefore = trainer.evaluate(network, validation).loss();
        List<EpochMetrics> reported = new ArrayList<>();

        TrainingCurves curves = trainer.train(network, train, validation, reported::add);

        assertThat(curves.epochs()).isEqualTo(3);
        assertThat(curves.epoch()).containsExactly(1, 2, 3);
        assertThat(reported)
                .extracting(EpochMetrics::validationAccuracy)
                .containsExactlyElementsOf(curves.validationAccuracy());
        assertThat(curves.validationAccuracy().get(2))
                .as("validation accuracy, curves %s", curves)
                .isGreaterThan(0.9);
        assertThat(curves.validationLoss().get(2))
                .as("validation loss vs %.3f before training", lossBefore)
                .isLessThan(lossBefore);
        assertThat(trainer.evaluate(network, validation).accuracy())
                .isEqualTo(curves.validationAccuracy().get(2));
    }

    @Test
    void shouldRepeatARunWithTheSameSeed() {
        LabeledImages train = trousersAndBags(0, 40);
        LabeledImages validation = trousersAndBags(200, 20);
        TrainingConfig config = new TrainingConfig(1, 16, 5);

        TrainingCurves first = new ClassifierTrainer(PREPROCESSING, config)
                .train(SmallCnn.build(1, 28, 28, 2, 9, TINY), train, validation, epoch -> {});
        TrainingCurves second = new ClassifierTrainer(PREPROCESSING, config)
                .train(SmallCnn.build(1, 28, 28, 2, 9, TINY), train, validation, epoch -> {});

        assertThat(second.validationAccuracy()).isEqualTo(first.validationAccuracy());
        assertThat(second.trainLoss().get(0)).isCloseTo(first.trainLoss().get(0), within(1e-4));
    }

    @Test
    void shouldRefuseLabelsTheNetworkCannotOutput() {
        LabeledImages threeClasses = new LabeledImages(3, 28, 28, new byte[3 * 28 * 28], new int[] {0, 1, 2});
        ClassifierTrainer trainer = new ClassifierTrainer(PREPROCESSING, new TrainingConfig(1, 4, 1));

        assertThatThrownBy(() ->
                        trainer.train(SmallCnn.build(1, 28, 28, 2, 1, TINY), threeClasses, threeClasses, epoch -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label 2 but the network outputs only 2 classes");
    }

    @Test
    void shouldRefuseInvalidTrainingSettings() {
        assertThatThrownBy(() -> new TrainingConfig(0, 32, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epochs");
        assertThatThrownBy(() -> new TrainingConfig(1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batchSize");
    }
}
