package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.model.bundle.BundleFile;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.inference.BundleScorer;
import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.TransferExperiment;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.training.TrainingWorker;
import io.imgstream.training.TrainingWorkerConfig;
import io.imgstream.training.refit.RefitOutcome;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real pretrained network as the worker's base, the way a user gets there: nsfwjs's MobileNetV2 (npm
 * {@code nsfwjs@4.4.0}) imported with {@code imgstream bases import}, named by the worker's {@code base.name}, and
 * the version it publishes from streamed labels scores images with that base inside its bundle. The worker runs
 * the product's best path on few labels, {@code head.kind=LINEAR} (a softmax regression on the feature map averaged
 * over a 2x2 grid, its L2 strength chosen on the validation side), then {@code refit.mode=FINE_TUNE}: the base's last
 * layers train with that head on the labeled images, fetched again. ({@code TrainingWorkerIT} runs the dense head.)
 */
@Tag("integration")
@Tag("heavy")
class StoredBaseWorkerIT {

    private static final String MODEL = "fmnist-mnv2";
    private static final String BASE = "nsfwjs.mobilenet_v2";
    private static final List<String> CLASSES = List.of("t-shirt", "trouser", "bag");
    private static final int[] FASHION_MNIST_CLASSES = {0, 1, 8};
    private static final int PER_CLASS = 12;

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @TempDir
    Path temp;

    @Test
    @Timeout(420)
    void shouldTrainAndFineTuneAStoredPretrainedBaseImportedThroughTheCli() throws Exception {
        Path bases = temp.resolve("bases");
        NsfwjsPackage.importThroughTheCli(bases);

        TopicCatalog topics = ScoringFixture.createTopics(STACK.bootstrapServers());
        Path images = Files.createDirectories(temp.resolve("images"));
        List<LabelFeedback> labels = labels(images);
        List<String> progress = new CopyOnWriteArrayList<>();
        RefitOutcome outcome;
        String baseId;
        try (TrainingWorker worker = TrainingWorker.start(workerConfig(topics, bases, images), progress::add);
                KafkaProducer<String, SpecificRecord> feedback = new KafkaProducer<>(
                        ScoringFixture.clientProperties(STACK.bootstrapServers()),
                        new StringSerializer(),
                        RegistrySerdes.forRegistry(STACK.registryUrl()).valueSerializer())) {
            assertThat(worker.awaitRunning(Duration.ofSeconds(90)))
                    .as("worker state %s", worker.state())
                    .isTrue();
            baseId = worker.base().id().toString();
            for (LabelFeedback label : labels) {
                feedback.send(new ProducerRecord<>(topics.name(TopicRole.FEEDBACK), label.getImageId(), label));
            }
            feedback.flush();
            await("a refit on all " + labels.size() + " labels")
                    .atMost(Duration.ofSeconds(300))
                    .until(() -> worker.lastOutcome()
                            .filter(o -> o.skipped().isEmpty() && o.labeledImages() == labels.size())
                            .isPresent());
            outcome = worker.lastOutcome().orElseThrow();
        }
        progress.forEach(System.out::println);

        assertThat(baseId).startsWith(BASE + "@");
        assertThat(outcome.status()).isEqualTo(ModelStatus.PROMOTED);
        assertThat(outcome.classes()).containsExactlyInAnyOrderElementsOf(CLASSES);
        StoredBundle stored = new FileSystemModelStore(temp.resolve("models"))
                .list().stream()
                        .filter(b -> b.modelName().equals(MODEL))
                        .reduce((a, b) -> b)
                        .orElseThrow();
        ModelBundle bundle = BundleFile.readVerified(Path.of(stored.uri()), stored.sha256());
        assertThat(bundle.manifest().baseModelId()).isEqualTo(baseId);
        assertThat(progress).anyMatch(line -> line.contains("linear head at L2"));
        assertThat(bundle.network().getConfiguration().getVertices())
                .as("a linear head has no hidden layer")
                .doesNotContainKey(HeadBuilder.DENSE);
        assertThat(outcome.fineTuned()).isTrue();
        assertThat(progress).anyMatch(line -> line.startsWith("fine-tuning " + baseId));
        assertThat(bundle.manifest().bottleneckLayer())
                .as("a fine-tuned base's features are not the base's")
                .isNull();
        List<BufferedImage> decoded = new ArrayList<>();
        for (LabelFeedback label : labels) {
            decoded.add(
                    ImageIO.read(Path.of(java.net.URI.create(label.getUri())).toFile()));
        }
        int right = 0;
        try (BundleScorer scorer = new BundleScorer(bundle)) {
            List<float[]> scores = scorer.score(decoded);
            for (int i = 0; i < scores.size(); i++) {
                float[] p = scores.get(i);
                assertThat(p).hasSize(CLASSES.size());
                int best = 0;
                for (int c = 1; c < p.length; c++) {
                    best = p[c] > p[best] ? c : best;
                }
                right += bundle.manifest()
                                .classes()
                                .get(best)
                                .equals(labels.get(i).getLabel())
                        ? 1
                        : 0;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "v%d on %s: holdout accuracy %.3f on %d images; %d of %d labeled images right when scored from the "
                        + "bundle%n",
                outcome.version(),
                baseId,
                outcome.accuracy(),
                outcome.holdoutSize(),
                right,
                labels.size());
        assertThat(right).as("a bundle that learned its labels").isGreaterThan(labels.size() * 2 / 3);
    }

    private static List<LabelFeedback> labels(Path images) throws Exception {
        Path fashionMnist = Path.of(TransferExperiment.DEBIAN_DIRECTORY);
        LabeledImages test = IdxImages.read(
                fashionMnist.resolve(TransferExperiment.TEST_IMAGES),
                fashionMnist.resolve(TransferExperiment.TEST_LABELS));
        Map<Integer, Integer> taken = new HashMap<>();
        List<LabelFeedback> labels = new ArrayList<>();
        for (int i = 0; i < test.count() && labels.size() < PER_CLASS * CLASSES.size(); i++) {
            int klass = indexOf(test.label(i));
            if (klass < 0 || taken.merge(klass, 1, Integer::sum) > PER_CLASS) {
                continue;
            }
            labels.add(FashionMnistFeedback.label(test, images, i, CLASSES.get(klass), "stored-base-it"));
        }
        return labels;
    }

    private static int indexOf(int fashionMnistClass) {
        for (int i = 0; i < FASHION_MNIST_CLASSES.length; i++) {
            if (FASHION_MNIST_CLASSES[i] == fashionMnistClass) {
                return i;
            }
        }
        return -1;
    }

    private TrainingWorkerConfig workerConfig(TopicCatalog topics, Path bases, Path images) {
        Map<String, Object> props = WorkerSettings.on(STACK, topics, MODEL, temp, images, "stored-base-it");
        props.put(TrainingWorkerConfig.BASE_PRESET_CONFIG, "stored");
        props.put(TrainingWorkerConfig.BASE_NAME_CONFIG, BASE);
        props.put(TrainingWorkerConfig.BASE_STORE_CONFIG, bases.toString());
        props.put(TrainingWorkerConfig.REFIT_EVERY_LABELS_CONFIG, PER_CLASS * CLASSES.size());
        props.put(TrainingWorkerConfig.REFIT_INTERVAL_MS_CONFIG, 3_000);
        props.put(TrainingWorkerConfig.HEAD_KIND_CONFIG, "LINEAR");
        // The seeds' second step on a channels-last base: its last layers train with the head.
        props.put(TrainingWorkerConfig.REFIT_MODE_CONFIG, "FINE_TUNE");
        props.put(TrainingWorkerConfig.REFIT_FINE_TUNE_EPOCHS_CONFIG, 2);
        return new TrainingWorkerConfig(props);
    }
}
