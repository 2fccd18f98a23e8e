package io.imgstream.training.refit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imgstream.demo.DemoModel;
import io.imgstream.images.FetchSettings;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.Lineage;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.head.HeadTrainingConfig;
import io.imgstream.model.training.ConcatenatedBase;
import io.imgstream.model.training.FineTuneConfig;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.training.TruncatedBase;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.SplitHint;
import io.imgstream.training.features.FeatureBackfill;
import io.imgstream.training.labels.LabeledExample;
import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Refits on real Fashion-MNIST images (the demo's shipped subset) through a small real base: features computed
 * from file URIs, a fixed holdout, warm start and class growth, the gate, bundles in a real store. Only the
 * broker is replaced: the features go to Kafka's {@link MockProducer} and announcements to a list.
 */
class RefitterTest {

    private static final String MODEL = "fashion";
    private static final int PER_CLASS = 40;
    /** When the first example was labeled; each next one a second later. */
    private static final Instant LABELED_AT = Instant.parse("2026-11-30T09:00:00Z");

    @TempDir
    Path temp;

    private final List<ModelVersion> announced = new ArrayList<>();
    private final List<String> progress = new ArrayList<>();
    private MockProducer<String, SpecificRecord> producer;
    private FeatureExtractor extractor;
    private BaseNetwork base;
    private FileSystemModelStore store;
    private List<String> classNames;
    private Path images;
    /** How candidates that pass are announced. */
    private ModelStatus publishStatus = ModelStatus.PROMOTED;
    /** The head refits train. */
    private HeadConfig headConfig = HeadConfig.defaults().withLearningRate(1e-3);

    @BeforeEach
    void setUp() throws Exception {
        base = TruncatedBase.of(
                SmallCnn.build(1, 28, 28, 10, 5, DemoModel.NETWORK),
                SmallCnn.POOL2,
                "test-conv",
                DemoModel.PREPROCESSING);
        extractor = new FeatureExtractor(base);
        Serializer<SpecificRecord> values = (topic, record) -> new byte[0];
        producer = new MockProducer<>(true, null, new StringSerializer(), values);
        store = new FileSystemModelStore(temp.resolve("models"));
        classNames = DemoModel.classes();
        images = Files.createDirectories(temp.resolve("images"));
    }

    @AfterEach
    void tearDown() {
        extractor.close();
    }

    @Test
    void shouldPublishTheFirstVersionWithItsEvaluationAndComputedFeatures() throws Exception {
        List<LabeledExample> labeled = examples(0, 3);

        RefitOutcome outcome = refitter(0.01).refit(labeled, Optional.empty());

        assertThat(outcome.skipped()).isEmpty();
        assertThat(outcome.version()).isEqualTo(1);
        assertThat(outcome.status()).isEqualTo(ModelStatus.PROMOTED);
        assertThat(outcome.classes())
                .as("new classes in name order")
                .containsExactly("Pullover", "T-shirt/top", "Trouser");
        assertThat(outcome.backfilled()).isEqualTo(3 * PER_CLASS);
        assertThat(outcome.trainSize() + outcome.validationSize() + outcome.holdoutSize())
                .isEqualTo(3 * PER_CLASS);
        assertThat(outcome.accuracy()).as("three separable classes").isGreaterThan(0.5);
        assertThat(producer.history())
                .hasSize(3 * PER_CLASS)
                .allSatisfy(r -> assertThat(r.key()).endsWith("/" + base.id()));

        ModelVersion version = announced.get(0);
        assertThat(version.getStatus()).isEqualTo(ModelStatus.PROMOTED);
        assertThat(version.getParentVersion()).isNull();
        assertThat(version.getMetrics().getHoldoutSize()).isEqualTo(outcome.holdoutSize());
        assertThat(version.getMetrics().getConfusionMatrix()).hasSize(3);
        assertThat(version.getMetrics().getConfusionMatrix().stream()
                        .flatMap(List::stream)
                        .mapToInt(Integer::intValue)
                        .sum())
                .isEqualTo(outcome.holdoutSize());
        ModelBundle bundle = BundleFile.readVerified(
                Path.of(java.net.URI.create(version.getBundleUri().toString())),
                version.getBundleSha256().toString());
        assertThat(bundle.manifest().bottleneckLayer()).isEqualTo(SmallCnn.POOL2);
        assertThat(bundle.manifest().baseModelId()).isEqualTo(base.id().toString());
        Lineage lineage = bundle.manifest().lineage();
        assertThat(lineage.labeledPerClass())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("T-shirt/top", PER_CLASS, "Trouser", PER_CLASS, "Pullover", PER_CLASS));
        assertThat(lineage.firstLabel()).isEqualTo(LABELED_AT);
        assertThat(lineage.lastLabel()).isEqualTo(LABELED_AT.plusSeconds(3 * PER_CLASS - 1));
        assertThat(lineage.seed()).isEqualTo(HeadTrainingConfig.defaults().seed() + 1);
        assertThat(lineage.recipe())
                .containsKeys("head", "training", "split", "gateMinImprovement")
                .doesNotContainKey("fineTune");
        assertThat(lineage.recipe().get("head")).contains("learningRate=0.001");
        assertThat(BundleManifest.fromJson(bundle.manifest().toJson()).lineage())
                .as("the lineage survives the manifest's JSON")
                .isEqualTo(lineage);
        assertThat(bundle.manifest().holdoutProfile().count())
                .as("the drift reference: the candidate's predictions on the holdout")
                .isEqualTo(outcome.holdoutSize());
        assertThat(bundle.manifest().holdoutProfile().predicted()).containsOnlyKeys(outcome.classes());
        assertThat(bundle.curves()).isPresent();
        float[][] scores = bundle.predict(DemoModel.PREPROCESSING.toBatch(
                List.of(ImageIO.read(images.resolve("0-0.png").toFile()))));
        assertThat(scores[0]).hasSize(3);
    }

    @Test
    void shouldRefitOnSeveralBasesConcatenatedAndPublishABundleThatRunsThemAll() throws Exception {
        extractor.close();
        BaseNetwork second = TruncatedBase.of(
                SmallCnn.build(1, 28, 28, 10, 6, DemoModel.NETWORK),
                SmallCnn.POOL2,
                "other-conv",
                DemoModel.PREPROCESSING);
        BaseNetwork first = base;
        base = ConcatenatedBase.of(List.of(first, second), OptionalInt.empty());
        extractor = new FeatureExtractor(base);

        RefitOutcome outcome = refitter(0.01).refit(examples(0, 3), Optional.empty());

        assertThat(outcome.skipped()).isEmpty();
        assertThat(outcome.accuracy()).as("three separable classes").isGreaterThan(0.5);
        ModelVersion version = announced.get(0);
        ModelBundle bundle = BundleFile.readVerified(
                Path.of(java.net.URI.create(version.getBundleUri().toString())),
                version.getBundleSha256().toString());
        assertThat(bundle.manifest().baseModelId()).isEqualTo(first.id() + "+" + second.id());
        assertThat(bundle.manifest().bottleneckLayer()).isEqualTo(ConcatenatedBase.BOTTLENECK);
        BufferedImage image = ImageIO.read(images.resolve("0-0.png").toFile());
        float[][] scores = bundle.predict(DemoModel.PREPROCESSING.toBatch(List.of(image)));
        assertThat(scores[0]).hasSize(3);
        INDArray features = base.features(DemoModel.PREPROCESSING.toBatch(List.of(image)));
        assertThat(features.length())
                .as("both bases' features")
                .isEqualTo(2
                        * first.features(DemoModel.PREPROCESSING.toBatch(List.of(image)))
                                .length());
    }

    @Test
    void shouldPublishCanariesBesideACurrentVersionButAModelsFirstVersionAsPromoted() throws Exception {
        publishStatus = ModelStatus.CANARY;
        List<LabeledExample> first = examples(0, 3);
        RefitOutcome v1 = refitter(0.01).refit(first, Optional.empty());
        ModelVersion announcedV1 = announced.get(0);
        CurrentVersion current = CurrentVersion.of(
                announcedV1,
                store.load(
                        java.net.URI.create(announcedV1.getBundleUri().toString()),
                        announcedV1.getBundleSha256().toString()));

        RefitOutcome v2 = refitter(-1.0).refit(withFeatures(first), Optional.of(current));

        assertThat(v1.status()).as("nothing to be a canary beside").isEqualTo(ModelStatus.PROMOTED);
        assertThat(v2.status()).isEqualTo(ModelStatus.CANARY);
        assertThat(announced)
                .extracting(ModelVersion::getStatus)
                .containsExactly(ModelStatus.PROMOTED, ModelStatus.CANARY);
    }

    @Test
    void shouldGrowTheClassesWarmStartAndRejectACandidateBelowTheMargin() throws Exception {
        List<LabeledExample> first = examples(0, 3);
        refitter(0.01).refit(first, Optional.empty());
        ModelVersion v1 = announced.get(0);
        CurrentVersion current = CurrentVersion.of(
                v1,
                store.load(
                        java.net.URI.create(v1.getBundleUri().toString()),
                        v1.getBundleSha256().toString()));
        List<LabeledExample> more = new ArrayList<>(withFeatures(first));
        more.addAll(examples(3, 4));

        RefitOutcome outcome = refitter(1.0).refit(more, Optional.of(current));

        assertThat(outcome.version()).isEqualTo(2);
        assertThat(outcome.classes())
                .as("known classes keep their order, the new one follows")
                .containsExactly("Pullover", "T-shirt/top", "Trouser", "Dress");
        assertThat(outcome.backfilled()).as("only the new images").isEqualTo(PER_CLASS);
        assertThat(outcome.currentAccuracy())
                .as("v1 measured on the same holdout")
                .isPresent();
        assertThat(outcome.currentAccuracy().get()).isLessThan(1.0);
        assertThat(outcome.status()).isEqualTo(ModelStatus.REJECTED);
        assertThat(progress)
                .anyMatch(line -> line.contains("warm start from v1: dense layer copied, output units of 3 of 4"));
        ModelVersion v2 = announced.get(1);
        assertThat(v2.getStatus()).isEqualTo(ModelStatus.REJECTED);
        assertThat(v2.getParentVersion()).isEqualTo(1);
        assertThat(store.list())
                .as("a rejected candidate is kept for 'models promote'")
                .hasSize(2);
    }

    @Test
    void shouldRefitALinearHeadWhenAskedAndPublishItWithoutAHiddenLayer() throws Exception {
        headConfig = HeadConfig.linearFor(base.featureShape());

        RefitOutcome outcome = refitter(0.01).refit(examples(0, 3), Optional.empty());

        assertThat(outcome.skipped()).isEmpty();
        assertThat(outcome.accuracy()).as("three separable classes").isGreaterThan(0.5);
        assertThat(progress)
                .anyMatch(line -> line.contains("L2 0.001: validation accuracy"))
                .anyMatch(line -> line.contains("linear head at L2"));
        ModelVersion version = announced.get(0);
        ModelBundle bundle = BundleFile.readVerified(
                Path.of(java.net.URI.create(version.getBundleUri().toString())),
                version.getBundleSha256().toString());
        assertThat(bundle.network().getConfiguration().getVertices()).doesNotContainKey(HeadBuilder.DENSE);
        assertThat(bundle.manifest().lineage().recipe().get("head")).contains("hiddenUnits=0");
        assertThat(bundle.curves()).isPresent();
    }

    @Test
    void shouldFineTuneTheBaseWithTheHeadOnTheVersionsItIsAskedForAndMeasureBothOnOneHoldout() throws Exception {
        FineTuneConfig defaults = FineTuneConfig.defaults();
        FineTuning everySecond = new FineTuning(
                2,
                0,
                new FineTuneConfig(
                        defaults.learningRate(),
                        defaults.momentum(),
                        2,
                        defaults.batchSize(),
                        7,
                        defaults.augmentation(),
                        true),
                1000,
                fetchSettings().loader());
        List<LabeledExample> first = examples(0, 3);
        RefitOutcome headOnly = refitter(0.01, Optional.of(everySecond)).refit(first, Optional.empty());
        assertThat(headOnly.fineTuned()).as("v1 is not a multiple of 2").isFalse();
        ModelVersion v1 = announced.get(0);
        CurrentVersion current = CurrentVersion.of(
                v1,
                store.load(
                        java.net.URI.create(v1.getBundleUri().toString()),
                        v1.getBundleSha256().toString()));
        List<LabeledExample> labeled = withFeatures(first);
        // Its features are cached, but its image is gone: the head still trains on it, fine-tuning can't.
        LabeledExample vanished = labeled.get(0);
        Files.delete(Path.of(java.net.URI.create(vanished.uri().orElseThrow())));

        RefitOutcome tuned = refitter(-1.0, Optional.of(everySecond)).refit(labeled, Optional.of(current));

        assertThat(tuned.version()).isEqualTo(2);
        assertThat(tuned.fineTuned()).isTrue();
        assertThat(tuned.backfilled()).as("every feature was cached").isZero();
        assertThat(tuned.unusable()).containsEntry("NOT_FOUND", 1);
        assertThat(tuned.accuracy()).as("three separable classes").isGreaterThan(0.5);
        assertThat(tuned.currentAccuracy())
                .as("v1 measured on the same holdout")
                .isPresent();
        assertThat(progress).anyMatch(line -> line.startsWith("fine-tuning " + base.id()));
        ModelVersion v2 = announced.get(1);
        assertThat(v2.getMetrics().getHoldoutSize()).isEqualTo(tuned.holdoutSize());
        ModelBundle bundle = BundleFile.readVerified(
                Path.of(java.net.URI.create(v2.getBundleUri().toString())),
                v2.getBundleSha256().toString());
        assertThat(bundle.manifest().bottleneckLayer())
                .as("a fine-tuned base's features are not the base's")
                .isNull();
        assertThat(bundle.manifest().metrics()).containsKey(Refitter.FINE_TUNE_IMAGES);
        assertThat(bundle.manifest().lineage().recipe()).containsKeys("fineTune", "fineTuneLayers");
        assertThat(bundle.manifest().lineage().recipe().get("fineTune")).contains("epochs=2");
        assertThat(bundle.network().getLayer(SmallCnn.CONV2).params())
                .as("the base's last convolution trained")
                .isNotEqualTo(base.graph().getLayer(SmallCnn.CONV2).params());
        float[][] scores = bundle.predict(DemoModel.PREPROCESSING.toBatch(
                List.of(ImageIO.read(images.resolve("1-0.png").toFile()))));
        assertThat(scores[0]).hasSize(3);
    }

    @Test
    void shouldLeaveOutImagesItCanNotHaveAndSayWhy() throws Exception {
        List<LabeledExample> labeled = new ArrayList<>(examples(0, 2));
        labeled.add(new LabeledExample(
                "outside",
                classNames.get(0),
                SplitHint.ANY,
                Optional.of("file:///etc/passwd"),
                Optional.empty(),
                LABELED_AT));
        labeled.add(new LabeledExample(
                "nowhere", classNames.get(1), SplitHint.ANY, Optional.empty(), Optional.empty(), LABELED_AT));

        RefitOutcome outcome = refitter(0.01).refit(labeled, Optional.empty());

        assertThat(outcome.unusable())
                .containsEntry("PATH_NOT_ALLOWED", 1)
                .containsEntry("no features and no uri in its label to compute them from", 1);
        assertThat(outcome.labeledImages()).isEqualTo(2 * PER_CLASS);
    }

    @Test
    void shouldFailWithAClearErrorAndAnnounceNothingWhenTheStoreCanNotBeWritten() throws Exception {
        // Root ignores file permissions, so the store's root is made a plain file: nothing can be created under it.
        Path notADirectory = Files.writeString(temp.resolve("store-is-a-file"), "");
        store = new FileSystemModelStore(notADirectory);
        List<LabeledExample> labeled = examples(0, 3);

        assertThatThrownBy(() -> refitter(0.01).refit(labeled, Optional.empty()))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("could not save fashion v1");
        assertThat(announced).as("no version announced").isEmpty();
    }

    /**
     * A real full disk: the store is a 64 KiB tmpfs, far smaller than a bundle. Mounting needs root (or
     * CAP_SYS_ADMIN); where the machine refuses it, the test is skipped and says why.
     */
    @Test
    void shouldFailWithAClearErrorLeaveNoPartialFileAndAnnounceNothingWhenTheDiskIsFull() throws Exception {
        Path mountPoint = Files.createDirectories(temp.resolve("full-disk"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mountPoint.toString())
                .redirectErrorStream(true)
                .start();
        String mountOutput = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assumeTrue(mount.waitFor() == 0, "this machine does not let the test mount a tmpfs: " + mountOutput);
        try {
            store = new FileSystemModelStore(mountPoint);
            List<LabeledExample> labeled = examples(0, 3);

            assertThatThrownBy(() -> refitter(0.01).refit(labeled, Optional.empty()))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("could not save fashion v1")
                    .rootCause()
                    .hasMessageContaining("No space left on device");
            assertThat(announced).as("no version announced").isEmpty();
            try (Stream<Path> files = Files.walk(mountPoint)) {
                assertThat(files.filter(Files::isRegularFile))
                        .as("files left in the full store")
                        .isEmpty();
            }
        } finally {
            new ProcessBuilder("umount", mountPoint.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
        }
    }

    @Test
    void shouldSkipALabeledSetOfOneClass() throws Exception {
        RefitOutcome outcome = refitter(0.01).refit(examples(0, 1), Optional.empty());

        assertThat(outcome.skipped()).hasValueSatisfying(why -> assertThat(why).contains("a classifier needs two"));
        assertThat(announced).isEmpty();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void shouldResumeARefitKilledMidTrainingFromItsLastEpochAndForgetItOnceAnnounced() throws Exception {
        List<LabeledExample> labeled = examples(0, 3);
        Consumer<String> killedAfterEpoch3 = line -> {
            progress.add(line);
            if (line.strip().startsWith("epoch 3:")) {
                throw new IllegalStateException("killed");
            }
        };
        assertThatThrownBy(() -> refitter(0.01, killedAfterEpoch3).refit(labeled, Optional.empty()))
                .hasMessage("killed");
        assertThat(announced).isEmpty();
        progress.clear();

        RefitOutcome outcome = refitter(0.01).refit(withFeatures(labeled), Optional.empty());

        assertThat(progress).anyMatch(line -> line.startsWith("resuming the interrupted refit"));
        assertThat(progress.stream().filter(line -> line.strip().startsWith("epoch ")))
                .as("epochs trained after the restart")
                .first()
                .satisfies(line -> assertThat(line.strip()).startsWith("epoch 4:"));
        assertThat(outcome.version()).isEqualTo(1);
        assertThat(announced).hasSize(1);
        assertThat(checkpoints()).as("the announced refit's checkpoint").doesNotExist();
    }

    @Test
    void shouldContinueAFineTuningKilledAfterItsFirstEpochFromItsCheckpoint() throws Exception {
        FineTuneConfig defaults = FineTuneConfig.defaults();
        FineTuning always = new FineTuning(
                1,
                0,
                new FineTuneConfig(
                        defaults.learningRate(),
                        defaults.momentum(),
                        3,
                        defaults.batchSize(),
                        7,
                        defaults.augmentation(),
                        true),
                1000,
                fetchSettings().loader());
        List<LabeledExample> labeled = examples(0, 3);
        boolean[] fineTuning = {false};
        Consumer<String> killedInFineTuning = line -> {
            progress.add(line);
            fineTuning[0] |= line.startsWith("fine-tuning " + base.id());
            if (fineTuning[0] && line.strip().startsWith("epoch 1:")) {
                throw new IllegalStateException("killed");
            }
        };
        assertThatThrownBy(() ->
                        refitter(0.01, Optional.of(always), killedInFineTuning).refit(labeled, Optional.empty()))
                .hasMessage("killed");
        assertThat(announced).isEmpty();
        progress.clear();

        RefitOutcome outcome = refitter(0.01, Optional.of(always)).refit(withFeatures(labeled), Optional.empty());

        assertThat(outcome.fineTuned()).isTrue();
        assertThat(progress).anyMatch(line -> line.startsWith("continuing the interrupted fine-tuning"));
        List<String> afterFineTuningStarted = progress.subList(
                progress.indexOf(progress.stream()
                        .filter(line -> line.startsWith("fine-tuning " + base.id()))
                        .findFirst()
                        .orElseThrow()),
                progress.size());
        assertThat(afterFineTuningStarted.stream().filter(line -> line.strip().startsWith("epoch ")))
                .as("the fine-tuning epochs the killed refit had left")
                .map(line -> line.strip().substring(0, "epoch N".length()))
                .containsExactly("epoch 2", "epoch 3");
        assertThat(checkpoints()).as("the announced refit's checkpoint").doesNotExist();
    }

    @Test
    void shouldStartAfreshWhenTheLabeledSetChangedSinceTheInterruptedRefit() throws Exception {
        Consumer<String> killedAfterEpoch2 = line -> {
            if (line.strip().startsWith("epoch 2:")) {
                throw new IllegalStateException("killed");
            }
        };
        assertThatThrownBy(() -> refitter(0.01, killedAfterEpoch2).refit(examples(0, 3), Optional.empty()))
                .hasMessage("killed");

        refitter(0.01).refit(examples(0, 4), Optional.empty());

        assertThat(progress).noneMatch(line -> line.startsWith("resuming"));
        assertThat(progress).anyMatch(line -> line.strip().startsWith("epoch 1:"));
    }

    private Path checkpoints() {
        return temp.resolve("state").resolve("refits").resolve(MODEL);
    }

    private Refitter refitter(double minImprovement) {
        return refitter(minImprovement, progress::add);
    }

    private Refitter refitter(double minImprovement, Consumer<String> progressLines) {
        return refitter(minImprovement, Optional.empty(), progressLines);
    }

    private Refitter refitter(double minImprovement, Optional<FineTuning> fineTuning) {
        return refitter(minImprovement, fineTuning, progress::add);
    }

    private Refitter refitter(double minImprovement, Optional<FineTuning> fineTuning, Consumer<String> progressLines) {
        HeadTrainingConfig training = HeadTrainingConfig.defaults().withMaxEpochs(15);
        FeatureBackfill backfill =
                new FeatureBackfill(extractor, fetchSettings().loader(), producer, "features");
        return new Refitter(
                MODEL,
                base,
                headConfig,
                training,
                new HoldoutSplit(25, 10),
                minImprovement,
                publishStatus,
                backfill,
                store,
                announced::add,
                () -> announced.stream()
                        .mapToInt(ModelVersion::getVersion)
                        .max()
                        .orElse(0),
                checkpoints(),
                fineTuning,
                progressLines);
    }

    private FetchSettings fetchSettings() {
        return new FetchSettings(
                List.of("file"),
                List.of(images),
                List.of(),
                List.of(),
                List.of(),
                Duration.ofSeconds(5),
                1 << 20,
                1_000_000,
                Duration.ofSeconds(10));
    }

    /** {@value #PER_CLASS} real images of each class in {@code [from, to)}, written as PNG, labeled by file URI. */
    private List<LabeledExample> examples(int from, int to) throws Exception {
        LabeledImages shipped = DemoModel.trainingSubset();
        List<LabeledExample> examples = new ArrayList<>();
        int[] taken = new int[10];
        for (int i = 0; i < shipped.count(); i++) {
            int label = shipped.label(i);
            if (label < from || label >= to || taken[label] == PER_CLASS) {
                continue;
            }
            Path file = images.resolve(label + "-" + taken[label]++ + ".png");
            ImageIO.write(shipped.image(i), "png", file.toFile());
            examples.add(new LabeledExample(
                    "img-" + file.getFileName(),
                    classNames.get(label),
                    SplitHint.ANY,
                    Optional.of(file.toUri().toString()),
                    Optional.empty(),
                    LABELED_AT.plusSeconds(examples.size())));
        }
        return examples;
    }

    /** The examples with the features the last refit computed for them, as the features topic would hold them. */
    private List<LabeledExample> withFeatures(List<LabeledExample> examples) {
        List<LabeledExample> result = new ArrayList<>();
        for (LabeledExample example : examples) {
            producer.history().stream()
                    .filter(r -> r.key().startsWith(example.imageId() + "/"))
                    .findFirst()
                    .ifPresent(
                            r -> result.add(example.withFeatures((io.imgstream.schemas.avro.FeatureVector) r.value())));
        }
        return result;
    }
}
