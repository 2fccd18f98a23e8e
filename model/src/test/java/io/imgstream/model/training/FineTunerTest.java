package io.imgstream.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.model.augment.AugmentationConfig;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.head.HeadTrainer;
import io.imgstream.model.head.HeadTrainingConfig;
import io.imgstream.model.head.LabeledFeatures;
import io.imgstream.model.training.FineTuner.Unfreeze;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class FineTunerTest {

    private static final SmallCnn.Config TINY = new SmallCnn.Config(4, 3, 8, 3, 2, 16, 0.25, 3e-3, 0);
    private static final FineTuneConfig ONE_EPOCH = new FineTuneConfig(
            FineTuneConfig.DEFAULT_LEARNING_RATE * 10,
            FineTuneConfig.DEFAULT_MOMENTUM,
            1,
            16,
            5,
            AugmentationConfig.defaults(),
            true);

    /** Three Fashion-MNIST classes from the Fashion-MNIST sample, imbalanced so balancing has work to do. */
    private static LabeledImages threeClasses(int skip, int perClass) {
        LabeledImages sample = FashionMnistSample.trainingSubset();
        List<Integer> indices = new ArrayList<>();
        int[] seen = new int[sample.classCount()];
        for (int i = 0; i < sample.count(); i++) {
            int label = sample.label(i);
            int wanted = label == 2 ? perClass / 2 : perClass;
            if (label < 3 && seen[label]++ >= skip && seen[label] <= skip + wanted) {
                indices.add(i);
            }
        }
        return sample.subset(indices.stream().mapToInt(Integer::intValue).toArray());
    }

    private static TruncatedBase base() {
        return TruncatedBase.of(
                SmallCnn.build(1, 28, 28, 3, 3, TINY), SmallCnn.POOL2, "tiny-cnn", FashionMnistSample.PREPROCESSING);
    }

    private static ComputationGraph trainedHead(TruncatedBase base, LabeledImages train, LabeledImages validation) {
        ComputationGraph head =
                HeadBuilder.build(base.featureShape(), 3, HeadConfig.defaults().withLearningRate(1e-3), 1);
        try (FeatureExtractor extractor = new FeatureExtractor(base)) {
            new HeadTrainer(HeadTrainingConfig.defaults().withMaxEpochs(3))
                    .train(
                            head,
                            LabeledFeatures.of(
                                    extractor.extract(ImageSet.of(train).images()), train.labels()),
                            LabeledFeatures.of(
                                    extractor.extract(ImageSet.of(validation).images()), validation.labels()),
                            epoch -> {});
        }
        return head;
    }

    @Test
    void shouldTrainOnlyTheUnfrozenLayersAndTheHead() {
        LabeledImages train = threeClasses(0, 40);
        LabeledImages validation = threeClasses(100, 20);
        TruncatedBase base = base();
        ComputationGraph head = trainedHead(base, train, validation);
        FineTuner tuner = new FineTuner(ONE_EPOCH);
        ComputationGraph network = tuner.assemble(base, head, FineTuner.Unfreeze.fromLayer(SmallCnn.CONV2));
        INDArray conv1Before = network.getLayer(SmallCnn.CONV1).params().dup();
        INDArray conv2Before = network.getLayer(SmallCnn.CONV2).params().dup();
        INDArray denseBefore = network.getLayer(HeadBuilder.DENSE).params().dup();
        assertThat(conv1Before).isEqualTo(base.graph().getLayer(SmallCnn.CONV1).params());
        assertThat(denseBefore)
                .as("the trained head's weights are carried over")
                .isEqualTo(head.getLayer(HeadBuilder.DENSE).params());

        FineTuneResult result = tuner.fineTune(
                network, FashionMnistSample.PREPROCESSING, ImageSet.of(train), ImageSet.of(validation), epoch -> {});

        assertThat(network.getLayer(SmallCnn.CONV1)).isInstanceOf(FrozenLayer.class);
        assertThat(network.getLayer(SmallCnn.CONV1).params()).as("frozen").isEqualTo(conv1Before);
        assertThat(network.getLayer(SmallCnn.CONV2).params()).as("unfrozen").isNotEqualTo(conv2Before);
        assertThat(network.getLayer(HeadBuilder.DENSE).params()).as("head").isNotEqualTo(denseBefore);
        assertThat(result.curves().epochs()).isEqualTo(1);
        assertThat(result.curves().validationAccuracy().get(0)).isBetween(0.0, 1.0);
        assertThat(base.graph().getLayer(SmallCnn.CONV2).params())
                .as("the base itself is untouched")
                .isNotEqualTo(network.getLayer(SmallCnn.CONV2).params());
    }

    @Test
    void shouldContinueAKilledRunFromItsLastCheckpointAsIfUninterrupted(@TempDir Path dir) throws IOException {
        LabeledImages train = threeClasses(0, 30);
        LabeledImages validation = threeClasses(100, 10);
        TruncatedBase base = base();
        ComputationGraph head = trainedHead(base, train, validation);
        FineTuneConfig threeEpochs = new FineTuneConfig(
                ONE_EPOCH.learningRate(),
                ONE_EPOCH.momentum(),
                3,
                ONE_EPOCH.batchSize(),
                ONE_EPOCH.seed(),
                ONE_EPOCH.augmentation(),
                true);
        FineTuner tuner = new FineTuner(threeEpochs);
        Unfreeze unfreeze = FineTuner.Unfreeze.fromLayer(SmallCnn.CONV2);
        FineTuneResult whole = tuner.fineTune(
                tuner.assemble(base, head, unfreeze),
                FashionMnistSample.PREPROCESSING,
                ImageSet.of(train),
                ImageSet.of(validation),
                dir.resolve("whole"),
                epoch -> {});
        assertThat(FineTuneCheckpoint.existsIn(dir.resolve("whole"))).isTrue();

        // "Killed" after its first epoch: a one-epoch run of the same settings leaves that epoch's checkpoint.
        Path killed = dir.resolve("killed");
        new FineTuner(new FineTuneConfig(
                        threeEpochs.learningRate(),
                        threeEpochs.momentum(),
                        1,
                        threeEpochs.batchSize(),
                        threeEpochs.seed(),
                        threeEpochs.augmentation(),
                        true))
                .fineTune(
                        tuner.assemble(base, head, unfreeze),
                        FashionMnistSample.PREPROCESSING,
                        ImageSet.of(train),
                        ImageSet.of(validation),
                        killed,
                        epoch -> {});
        List<Integer> epochsRun = new ArrayList<>();
        ComputationGraph fresh = tuner.assemble(base, head, unfreeze);
        FineTuneResult continued = tuner.fineTune(
                fresh,
                FashionMnistSample.PREPROCESSING,
                ImageSet.of(train),
                ImageSet.of(validation),
                killed,
                epoch -> epochsRun.add(epoch.epoch()));

        assertThat(epochsRun).as("only the epochs the killed run had left").containsExactly(2, 3);
        assertThat(continued.network())
                .as("the checkpoint's network, not the fresh one")
                .isNotSameAs(fresh);
        assertThat(continued.curves().epochs()).isEqualTo(3);
        assertThat(continued
                        .network()
                        .params()
                        .sub(whole.network().params())
                        .amaxNumber()
                        .doubleValue())
                .as("momentum and the epochs' seeds carried over: the same weights as the uninterrupted run")
                .isLessThan(1e-5);

        FineTuner.discardCheckpoint(killed);
        assertThat(FineTuneCheckpoint.existsIn(killed)).isFalse();
    }

    @Test
    void shouldFreezeUpToTheLayerBeforeTheLastNLayers() {
        ComputationGraph graph = base().graph();

        assertThat(FineTuner.frozenBoundary(graph, SmallCnn.POOL2, FineTuner.Unfreeze.lastLayers(2)))
                .isEqualTo(SmallCnn.POOL1);
        assertThat(FineTuner.frozenBoundary(graph, SmallCnn.POOL2, FineTuner.Unfreeze.fromLayer(SmallCnn.CONV2)))
                .isEqualTo(SmallCnn.POOL1);
        assertThat(FineTuner.frozenBoundary(graph, SmallCnn.POOL2, FineTuner.Unfreeze.lastLayers(10)))
                .as("everything trains")
                .isNull();
        assertThat(FineTuner.frozenBoundary(graph, SmallCnn.POOL2, FineTuner.Unfreeze.none()))
                .as("nothing trains: frozen through the bottleneck")
                .isEqualTo(SmallCnn.POOL2);
        assertThatThrownBy(() ->
                        FineTuner.frozenBoundary(graph, SmallCnn.POOL2, FineTuner.Unfreeze.fromLayer("block5_conv1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no layer 'block5_conv1'");
    }
}
