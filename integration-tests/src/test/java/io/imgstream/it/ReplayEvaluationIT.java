package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.cli.ImgstreamCommand;
import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.demo.DemoModel;
import io.imgstream.evaluation.EvaluationReport;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.FileSystemModelStore;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.training.ClassifierTrainer;
import io.imgstream.model.training.IdxImages;
import io.imgstream.model.training.LabeledImages;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.model.training.TrainingConfig;
import io.imgstream.model.training.TransferExperiment;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.TopicSnapshot;
import io.imgstream.schemas.avro.EvalResult;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelFeedback;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code imgstream evaluate} on a real broker and registry: 60 Fashion-MNIST test images published as references, 50
 * of them labeled on {@code feedback}, replayed through a trained and an untrained version side by side. The
 * report's accuracy, confusion matrices and disagreements are computed again here, image by image, with the bundles'
 * own DL4J forward pass, and must agree; so must the EvalResult records. An empty range, an unknown version and a
 * range retention has removed each get a clear refusal.
 */
@Tag("integration")
class ReplayEvaluationIT {

    private static final String MODEL = "replay";
    private static final int IMAGES = 60;
    private static final int LABELED = 50;

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @TempDir
    Path temp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    @Timeout(300)
    void shouldReportWhatAnIndependentRecountFinds() throws Exception {
        TopicCatalog topics = createTopics();
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        Path store = temp.resolve("models");
        ModelBundle trained = trainedVersion(1);
        ModelBundle untrained = ModelBundle.of(manifest(2), SmallCnn.build(1, 28, 28, 10, 99, DemoModel.NETWORK));
        new FileSystemModelStore(store).save(trained);
        new FileSystemModelStore(store).save(untrained);

        LabeledImages test = IdxImages.read(
                Path.of(TransferExperiment.DEBIAN_DIRECTORY).resolve(TransferExperiment.TEST_IMAGES),
                Path.of(TransferExperiment.DEBIAN_DIRECTORY).resolve(TransferExperiment.TEST_LABELS));
        Path images = Files.createDirectories(temp.resolve("images"));
        List<String> classes = DemoModel.classes();
        Map<String, String> labels = new HashMap<>();
        Map<String, Path> files = new HashMap<>();
        try (ImagePublisher publisher = new ImagePublisher(clientProperties(), serdes, topics.name(TopicRole.IMAGES));
                KafkaProducer<String, SpecificRecord> feedback =
                        new KafkaProducer<>(clientProperties(), new StringSerializer(), serdes.valueSerializer());
                KafkaProducer<String, byte[]> raw =
                        new KafkaProducer<>(clientProperties(), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < IMAGES; i++) {
                String id = "fm-" + i;
                Path file = images.resolve(String.format(Locale.ROOT, "%03d.png", i));
                ImageIO.write(test.image(i), "png", file.toFile());
                files.put(id, file);
                publisher
                        .publish(ImageRef.newBuilder()
                                .setId(id)
                                .setUri(file.toUri().toString())
                                .setEventTime(Instant.now())
                                .build())
                        .get();
                if (i < LABELED) {
                    labels.put(id, classes.get(test.label(i)));
                    feedback.send(new ProducerRecord<>(
                                    topics.name(TopicRole.FEEDBACK),
                                    id,
                                    LabelFeedback.newBuilder()
                                            .setImageId(id)
                                            .setLabel(classes.get(test.label(i)))
                                            .setLabeler("replay-it")
                                            .setTime(Instant.now())
                                            .build()))
                            .get();
                }
            }
            raw.send(new ProducerRecord<>(
                            topics.name(TopicRole.IMAGES), "garbage", "no magic byte".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }

        Path report = temp.resolve("report");
        int exit =
                evaluate(topics, store, images, "--compare", MODEL + ":1", MODEL + ":2", "--report", report.toString());

        assertThat(exit).as("stdout:%n%s%nstderr:%n%s", out, err).isZero();
        JsonNode json = new ObjectMapper()
                .readTree(report.resolve(EvaluationReport.JSON_FILE).toFile());
        assertThat(json.get("recordsRead").asInt()).isEqualTo(IMAGES + 1);
        assertThat(json.get("imagesScored").asInt()).isEqualTo(IMAGES);
        assertThat(json.get("skipped").get("MALFORMED_RECORD").asInt()).isEqualTo(1);
        Map<String, String> firstPredictions = new HashMap<>();
        Map<String, String> secondPredictions = new HashMap<>();
        for (int v = 0; v < 2; v++) {
            ModelBundle bundle = v == 0 ? trained : untrained;
            Map<String, String> predicted = v == 0 ? firstPredictions : secondPredictions;
            files.forEach((id, file) -> predicted.put(id, predict(bundle, file)));
            int[][] confusion = new int[classes.size()][classes.size()];
            int correct = 0;
            for (Map.Entry<String, String> label : labels.entrySet()) {
                String guess = predicted.get(label.getKey());
                confusion[classes.indexOf(label.getValue())][classes.indexOf(guess)]++;
                correct += guess.equals(label.getValue()) ? 1 : 0;
            }
            JsonNode version = json.get("versions").get(v);
            assertThat(version.get("version").asInt()).isEqualTo(v + 1);
            assertThat(version.get("labeled").asInt()).isEqualTo(LABELED);
            assertThat(version.get("correct").asInt()).as("v%d correct", v + 1).isEqualTo(correct);
            assertThat(version.get("accuracy").asDouble()).isEqualTo((double) correct / LABELED);
            assertThat(new ObjectMapper().convertValue(version.get("confusion"), int[][].class))
                    .isDeepEqualTo(confusion);
            System.out.printf(
                    Locale.ROOT, "v%d: %d of %d labeled images right, recount agrees%n", v + 1, correct, LABELED);
        }
        long disagreements = firstPredictions.keySet().stream()
                .filter(id -> !firstPredictions.get(id).equals(secondPredictions.get(id)))
                .count();
        assertThat(json.get("disagreements").size()).isEqualTo((int) disagreements);
        assertThat(json.get("versions").get(0).get("accuracy").asDouble())
                .as("the trained version wins")
                .isGreaterThan(json.get("versions").get(1).get("accuracy").asDouble());
        for (String png : List.of("v1-confusion.png", "v1-per-class.png", "v1-curves.png", "v2-confusion.png")) {
            assertThat(ImageIO.read(report.resolve(png).toFile())).as(png).isNotNull();
        }
        assertThat(Files.readString(report.resolve(EvaluationReport.INDEX)))
                .contains("replay v1", "replay v2", "Images the two versions classify differently: " + disagreements);
        Map<String, EvalResult> results = TopicSnapshot.latestByKey(
                clientProperties(),
                serdes,
                topics.name(TopicRole.EVAL_RESULTS),
                EvalResult.class,
                Duration.ofSeconds(30));
        assertThat(results).hasSize(1);
        EvalResult last = results.values().iterator().next();
        assertThat(last.getModelVersion())
                .as("both summaries share the run id; the second is v2")
                .isEqualTo(2);
        assertThat(last.getAccuracy())
                .isEqualTo(json.get("versions").get(1).get("accuracy").asDouble());
        assertThat(last.getImagesLabeled()).isEqualTo(LABELED);
    }

    @Test
    @Timeout(120)
    void shouldRefuseEmptyRangesUnknownVersionsAndRangesRetentionRemoved() throws Exception {
        TopicCatalog topics = createTopics();
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        Path store = temp.resolve("models");
        new FileSystemModelStore(store)
                .save(ModelBundle.of(manifest(1), SmallCnn.build(1, 28, 28, 10, 1, DemoModel.NETWORK)));
        Path images = Files.createDirectories(temp.resolve("images"));

        assertThat(evaluate(topics, store, images, "--model", MODEL + ":1")).isEqualTo(2);
        assertThat(err.toString()).contains("Nothing to evaluate", "holds no records");

        try (ImagePublisher publisher = new ImagePublisher(clientProperties(), serdes, topics.name(TopicRole.IMAGES))) {
            for (int i = 0; i < 30; i++) {
                publisher
                        .publish(ImageRef.newBuilder()
                                .setId("x-" + i)
                                .setUri("file:///nowhere/" + i + ".png")
                                .setEventTime(Instant.now())
                                .build())
                        .get();
            }
        }
        assertThat(evaluate(topics, store, images, "--model", MODEL + ":7")).isEqualTo(2);
        assertThat(err.toString()).contains("No bundle " + MODEL + " v7");

        try (Admin admin = Admin.create(clientProperties())) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                latest.put(new TopicPartition(topics.name(TopicRole.IMAGES), p), OffsetSpec.latest());
            }
            Map<TopicPartition, RecordsToDelete> cut = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, end) -> {
                if (end.offset() > 0) {
                    cut.put(partition, RecordsToDelete.beforeOffset(1));
                }
            });
            admin.deleteRecords(cut).all().get();
        }
        assertThat(evaluate(topics, store, images, "--model", MODEL + ":1", "--from", "0"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("no longer holds offset 0", "retention removed it");
    }

    private int evaluate(TopicCatalog topics, Path store, Path images, String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        List<String> all = new ArrayList<>(List.of(
                "evaluate",
                "--bootstrap-servers",
                STACK.bootstrapServers(),
                "--registry-url",
                STACK.registryUrl(),
                "--store",
                store.toString(),
                "--allowed-root",
                images.toString(),
                "--topic",
                topics.name(TopicRole.IMAGES),
                "--feedback-topic",
                topics.name(TopicRole.FEEDBACK),
                "--results-topic",
                topics.name(TopicRole.EVAL_RESULTS)));
        all.addAll(List.of(args));
        CommandLine cli = ImgstreamCommand.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(all.toArray(String[]::new));
    }

    private static String predict(ModelBundle bundle, Path file) {
        try {
            float[] row =
                    bundle.predict(bundle.manifest().preprocessing().toBatch(List.of(ImageIO.read(file.toFile()))))[0];
            int best = 0;
            for (int c = 1; c < row.length; c++) {
                best = row[c] > row[best] ? c : best;
            }
            return bundle.manifest().classes().get(best);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ModelBundle trainedVersion(int version) {
        LabeledImages shipped = DemoModel.trainingSubset();
        ComputationGraph network = SmallCnn.build(1, 28, 28, 10, 5, DemoModel.NETWORK);
        TrainingCurves curves = new ClassifierTrainer(DemoModel.PREPROCESSING, new TrainingConfig(2, 32, 5))
                .train(network, shipped, shipped.firstPerClass(20), epoch -> {});
        return ModelBundle.of(manifest(version), network).withCurves(curves);
    }

    private static BundleManifest manifest(int version) {
        return BundleManifest.create(
                MODEL,
                version,
                DemoModel.classes(),
                DemoModel.BASE_MODEL_ID,
                DemoModel.PREPROCESSING,
                Instant.now(),
                Map.of(),
                null);
    }

    private static TopicCatalog createTopics() throws Exception {
        return ScoringFixture.createTopics(STACK.bootstrapServers());
    }

    private static Properties clientProperties() {
        return ScoringFixture.clientProperties(STACK.bootstrapServers());
    }
}
