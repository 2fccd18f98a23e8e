package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.demo.DemoModel;
import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.head.ClassOutputs;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.inference.BundleScorer;
import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.TransferExperiment;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.training.TrainingWorker;
import io.imgstream.training.TrainingWorkerConfig;
import io.imgstream.training.refit.RefitOutcome;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality goal's streaming half on the product's best few-label path, with a base that never saw Fashion-MNIST:
 * nsfwjs's MobileNetV2 (npm {@code nsfwjs@4.4.0}, trained to moderate photos) imported with {@code imgstream bases
 * import --cut block_11_depthwise_relu}, and a worker fitting a linear head ({@code head.kind=LINEAR}) as labels of
 * Fashion-MNIST test images 0-999, all ten classes, stream in. The versions trained on 50, 200 and 1,000 labels are
 * each read on the same 1,000 test images (5000-5999), which never get labels: accuracy must rise at each stage.
 * ({@code TrainingWorkerIT} runs the same stages with the dense head on a small base pretrained on five of
 * Fashion-MNIST's classes.)
 */
@Tag("integration")
@Tag("heavy")
class TransferLearningCurveIT {

    private static final String MODEL = "fmnist-transfer";
    private static final String CUT = "block_11_depthwise_relu";
    private static final String BASE = "nsfwjs.mnv2.block11";
    private static final int[] STAGES = {50, 200, 1000};
    private static final int FIXED_TEST_FROM = 5000;
    private static final int FIXED_TEST_COUNT = 1000;
    private static final int SCORING_BATCH = 50;
    private static final String LABELER = "transfer-curve-it";

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @TempDir
    Path temp;

    @Test
    @Timeout(900)
    void shouldRiseAtEachStageOnTestImagesThatNeverGetLabels() throws Exception {
        Path bases = temp.resolve("bases");
        NsfwjsPackage.importThroughTheCli(bases, "--cut", CUT, "--name", BASE);

        LabeledImages test = IdxImages.read(
                Path.of(TransferExperiment.DEBIAN_DIRECTORY).resolve(TransferExperiment.TEST_IMAGES),
                Path.of(TransferExperiment.DEBIAN_DIRECTORY).resolve(TransferExperiment.TEST_LABELS));
        List<String> classes = DemoModel.classes();
        TopicCatalog topics = ScoringFixture.createTopics(STACK.bootstrapServers());
        Path images = Files.createDirectories(temp.resolve("images"));
        List<String> progress = new CopyOnWriteArrayList<>();
        Map<Integer, RefitOutcome> outcomes = new LinkedHashMap<>();
        try (TrainingWorker worker = TrainingWorker.start(workerConfig(topics, bases, images), progress::add);
                KafkaProducer<String, SpecificRecord> feedback = new KafkaProducer<>(
                        ScoringFixture.clientProperties(STACK.bootstrapServers()),
                        new StringSerializer(),
                        RegistrySerdes.forRegistry(STACK.registryUrl()).valueSerializer())) {
            assertThat(worker.awaitRunning(Duration.ofSeconds(90)))
                    .as("worker state %s", worker.state())
                    .isTrue();
            int sent = 0;
            for (int stage : STAGES) {
                FashionMnistFeedback.send(
                        feedback, topics.name(TopicRole.FEEDBACK), test, classes, images, sent, stage, LABELER);
                sent = stage;
                await("a refit on all " + stage + " labels")
                        .atMost(Duration.ofSeconds(300))
                        .until(() -> worker.lastOutcome()
                                .filter(o -> o.skipped().isEmpty() && o.labeledImages() == stage)
                                .isPresent());
                outcomes.put(stage, worker.lastOutcome().orElseThrow());
            }
        }
        progress.forEach(System.out::println);

        Map<Integer, Double> accuracy = new LinkedHashMap<>();
        for (Map.Entry<Integer, RefitOutcome> entry : outcomes.entrySet()) {
            RefitOutcome outcome = entry.getValue();
            accuracy.put(entry.getKey(), fixedTestAccuracy(outcome.version(), test, classes));
            System.out.printf(
                    Locale.ROOT,
                    "%s after %4d labels: v%d %s, accuracy %.3f on %d fixed test images that never get labels, "
                            + "holdout accuracy %.3f on %d images; features of %d images computed in %.1f s, "
                            + "fit %.1f s%n",
                    BASE,
                    entry.getKey(),
                    outcome.version(),
                    outcome.status(),
                    accuracy.get(entry.getKey()),
                    FIXED_TEST_COUNT,
                    outcome.accuracy(),
                    outcome.holdoutSize(),
                    outcome.backfilled(),
                    outcome.backfillTime().toMillis() / 1e3,
                    outcome.fitTime().toMillis() / 1e3);
        }
        assertThat(progress).anyMatch(line -> line.contains("linear head at L2"));
        for (int i = 1; i < STAGES.length; i++) {
            assertThat(accuracy.get(STAGES[i]))
                    .as("accuracy on the fixed test images after %d labels, against %d", STAGES[i], STAGES[i - 1])
                    .isGreaterThan(accuracy.get(STAGES[i - 1]));
        }
        assertThat(accuracy.get(STAGES[STAGES.length - 1]))
                .as("ten garment classes from 1,000 labels on a base trained for photo moderation")
                .isGreaterThan(0.8);
    }

    /** Accuracy of the version's bundle, as saved in the store, scored as a scorer scores, on the fixed images. */
    private double fixedTestAccuracy(int version, LabeledImages test, List<String> classes) throws IOException {
        Path file = temp.resolve("models").resolve(MODEL).resolve("v" + version).resolve("bundle.zip");
        ModelBundle bundle = BundleFile.readVerified(file, BundleFile.sha256(file));
        assertThat(bundle.network().getConfiguration().getVertices())
                .as("a linear head has no hidden layer")
                .doesNotContainKey(HeadBuilder.DENSE);
        List<String> bundleClasses = bundle.manifest().classes();
        int right = 0;
        try (BundleScorer scorer = new BundleScorer(bundle)) {
            for (int from = FIXED_TEST_FROM; from < FIXED_TEST_FROM + FIXED_TEST_COUNT; from += SCORING_BATCH) {
                List<BufferedImage> batch = new ArrayList<>();
                for (int i = from; i < from + SCORING_BATCH; i++) {
                    batch.add(test.image(i));
                }
                List<float[]> scores = scorer.score(batch);
                for (int i = 0; i < scores.size(); i++) {
                    String truth = classes.get(test.label(from + i));
                    right += bundleClasses
                                    .get(ClassOutputs.argMax(scores.get(i)))
                                    .equals(truth)
                            ? 1
                            : 0;
                }
            }
        }
        return (double) right / FIXED_TEST_COUNT;
    }

    private TrainingWorkerConfig workerConfig(TopicCatalog topics, Path bases, Path images) {
        Map<String, Object> props = WorkerSettings.on(STACK, topics, MODEL, temp, images, "transfer-curve-it");
        props.put(TrainingWorkerConfig.BASE_PRESET_CONFIG, "stored");
        props.put(TrainingWorkerConfig.BASE_NAME_CONFIG, BASE);
        props.put(TrainingWorkerConfig.BASE_STORE_CONFIG, bases.toString());
        props.put(TrainingWorkerConfig.REFIT_EVERY_LABELS_CONFIG, 50);
        props.put(TrainingWorkerConfig.REFIT_INTERVAL_MS_CONFIG, 3_000);
        props.put(TrainingWorkerConfig.HEAD_KIND_CONFIG, "LINEAR");
        return new TrainingWorkerConfig(props);
    }
}
