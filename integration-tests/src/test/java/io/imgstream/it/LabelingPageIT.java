package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.demo.DemoModel;
import io.imgstream.images.FetchSettings;
import io.imgstream.labeling.LabelingApp;
import io.imgstream.labeling.LabelingConfig;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.LabelRequest;
import io.imgstream.schemas.avro.SplitHint;
import io.imgstream.training.TrainingWorker;
import io.imgstream.training.TrainingWorkerConfig;
import io.imgstream.training.refit.HoldoutSplit;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

/**
 * The labeling page ({@code imgstream label serve}) in a real headless Chromium, on a real broker and registry: the
 * scorer's requests (one image asked about twice, one already labeled, one record not a request at all) are offered
 * most uncertain first, each image once; a click and a shortcut key each land a LabelFeedback with the label and
 * the labeler on the feedback topic; the per-class progress follows; once the hour's budget is spent the page says so
 * and sends nothing more. A training worker refits on the labels answered on the page and announces the version.
 */
@Tag("integration")
class LabelingPageIT {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    /** Debian's chromium and chromium-driver packages; .ci/run installs them. */
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    private static final Duration PAGE_WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    @Test
    @Timeout(240)
    void shouldOfferTheMostUncertainImageFirstAndSendEachAnswerAsFeedback() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("needs %s and %s: apt-get install chromium chromium-driver (.ci/run does)", CHROMIUM, CHROMEDRIVER)
                .isTrue();
        TopicCatalog topics = ScoringFixture.createTopics(STACK.bootstrapServers());
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        Properties client = ScoringFixture.clientProperties(STACK.bootstrapServers());
        Path images = Files.createDirectories(temp.resolve("images"));
        for (Map.Entry<String, Color> image : Map.of("a", Color.RED, "b", Color.GREEN, "c", Color.BLUE, "d", Color.GRAY)
                .entrySet()) {
            writePng(images.resolve(image.getKey() + ".png"), image.getValue());
        }
        String requests = topics.name(TopicRole.LABELING_REQUESTS);
        String feedback = topics.name(TopicRole.FEEDBACK);
        try (KafkaProducer<String, SpecificRecord> producer =
                new KafkaProducer<>(client, new StringSerializer(), serdes.valueSerializer())) {
            // c is asked about twice: unsure first, then sure; the newer request wins, so c comes last, once.
            send(producer, requests, request(images, "c", 1, "Pullover", 0.34, "Shirt", 0.33, "Coat", 0.33));
            send(producer, requests, request(images, "a", 2, "Sandal", 0.45, "Sneaker", 0.40));
            send(producer, requests, request(images, "b", 3, "Bag", 0.6, "Coat", 0.3));
            send(producer, requests, request(images, "c", 4, "Trouser", 0.96, "Dress", 0.02));
            // d is the most uncertain, but someone labeled it already.
            send(producer, requests, request(images, "d", 5, "Shirt", 0.5, "T-shirt/top", 0.5));
            send(
                    producer,
                    feedback,
                    LabelFeedback.newBuilder()
                            .setImageId("d")
                            .setLabel("Shirt")
                            .setLabeler("earlier")
                            .setTime(T0)
                            .build());
            producer.flush();
        }
        try (KafkaProducer<String, byte[]> garbage =
                new KafkaProducer<>(client, new StringSerializer(), new ByteArraySerializer())) {
            // Not a LabelRequest at all: skipped and counted, the page goes on.
            garbage.send(new ProducerRecord<>(requests, "e", "not avro".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }

        Map<String, Object> settings = new HashMap<>();
        settings.put(FetchSettings.ALLOWED_ROOTS_CONFIG, images.toString());
        settings.put(LabelingConfig.HTTP_PORT_CONFIG, 0);
        settings.put(LabelingConfig.QUEUE_RANDOM_SHARE_CONFIG, 0.0);
        settings.put(LabelingConfig.BUDGET_PER_HOUR_CONFIG, 2);
        settings.put(LabelingConfig.LABELER_CONFIG, "it-default");
        try (LabelingApp app = LabelingApp.start(new LabelingConfig(settings), client, serdes, requests, feedback);
                Browser chromium = new Browser(chromium())) {
            WebDriver browser = chromium.driver();
            browser.get("http://127.0.0.1:" + app.address().getPort() + "/");

            awaitShown(browser, "a");
            assertThat(labelsOf(browser.findElements(By.cssSelector(".guess")))).containsExactly("Sandal", "Sneaker");
            await("the image shown").atMost(PAGE_WAIT).until(() -> imageWidth(browser) == 16);
            await("the default labeler")
                    .atMost(PAGE_WAIT)
                    .until(() -> "it-default"
                            .equals(browser.findElement(By.id("labeler")).getDomProperty("value")));
            assertThat(countOf(browser, "Shirt")).isEqualTo("1");
            WebElement labeler = browser.findElement(By.id("labeler"));
            labeler.clear();
            labeler.sendKeys("ada");

            browser.findElement(By.cssSelector(".guess[data-label='Sandal']")).click();
            awaitFeedback(client, serdes, feedback, "a", "Sandal", "ada");
            awaitShown(browser, "b");
            await("Sandal counted").atMost(PAGE_WAIT).until(() -> "1".equals(countOf(browser, "Sandal")));
            assertThat(browser.findElement(By.id("session-count")).getText()).isEqualTo("1");

            new Actions(browser).sendKeys("2").perform();
            awaitFeedback(client, serdes, feedback, "b", "Coat", "ada");
            awaitShown(browser, "c");
            assertThat(labelsOf(browser.findElements(By.cssSelector(".guess")))).containsExactly("Trouser", "Dress");
            await("Coat counted").atMost(PAGE_WAIT).until(() -> "1".equals(countOf(browser, "Coat")));
            assertThat(browser.findElement(By.id("session-count")).getText()).isEqualTo("2");

            // Two labels an hour: the page says the budget is spent and takes no answer.
            await("budget spent shown")
                    .atMost(PAGE_WAIT)
                    .until(() -> browser.findElement(By.id("budget-spent")).isDisplayed());
            assertThat(browser.findElement(By.id("budget-spent")).getText()).contains("budget is spent");
            new Actions(browser).sendKeys("1").perform();
            await("refusal said")
                    .atMost(PAGE_WAIT)
                    .until(() -> browser.findElement(By.id("message")).getText().contains("budget is spent"));

            // Skipping is no answer; after c nothing waits: the repeat came once and d, labeled, never.
            new Actions(browser).sendKeys("s").perform();
            await("queue empty")
                    .atMost(PAGE_WAIT)
                    .until(() -> browser.findElement(By.id("status")).getText().contains("Nothing waits"));
            assertThat(app.session().progress().labeledThisSession()).isEqualTo(2);
            assertThat(app.session().progress().skipped()).isEqualTo(1);
            assertThat(app.session().progress().rejected()).isEqualTo(1);
        }
        List<String> sent = new ArrayList<>();
        TopicRecords.<LabelFeedback>readToEnd(
                client, serdes, feedback, "read_committed", (key, value) -> sent.add(key + "=" + value.getLabel()));
        assertThat(sent).containsExactlyInAnyOrder("d=Shirt", "a=Sandal", "b=Coat");
    }

    /**
     * The worker refits on what the page sends: three answers, keyed 1 on each image (ids chosen by the worker's
     * hash split so two classes fall on the training side and one image in the holdout), and a worker on a small
     * untrained base that refits every three labels trains and announces a version on them.
     */
    @Test
    @Timeout(300)
    void shouldHaveTheWorkerRefitOnTheLabelsSentFromThePage() throws Exception {
        TopicCatalog topics = ScoringFixture.createTopics(STACK.bootstrapServers());
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        Properties client = ScoringFixture.clientProperties(STACK.bootstrapServers());
        Path images = Files.createDirectories(temp.resolve("images"));
        HoldoutSplit split = new HoldoutSplit(
                TrainingWorkerConfig.DEFAULT_HOLDOUT_PERCENT, TrainingWorkerConfig.DEFAULT_VALIDATION_PERCENT);
        List<String> train = idsOn(split, HoldoutSplit.Side.TRAIN, 2);
        String holdout = idsOn(split, HoldoutSplit.Side.HOLDOUT, 1).get(0);
        Map<String, String> labels = Map.of(train.get(0), "Sandal", train.get(1), "Coat", holdout, "Sandal");
        String requests = topics.name(TopicRole.LABELING_REQUESTS);
        try (KafkaProducer<String, SpecificRecord> producer =
                new KafkaProducer<>(client, new StringSerializer(), serdes.valueSerializer())) {
            int second = 0;
            for (Map.Entry<String, String> label : labels.entrySet()) {
                writePng(
                        images.resolve(label.getKey() + ".png"),
                        label.getValue().equals("Coat") ? Color.GRAY : Color.WHITE);
                send(producer, requests, request(images, label.getKey(), second++, label.getValue(), 0.5, "Bag", 0.4));
            }
            producer.flush();
        }
        Path weights = temp.resolve("base.zip");
        ModelSerializer.writeModel(
                SmallCnn.build(1, DemoModel.IMAGE_SIDE, DemoModel.IMAGE_SIDE, 5, 3, DemoModel.NETWORK),
                weights.toFile(),
                false);
        Map<String, Object> worker = WorkerSettings.withSmallCnnBase(
                WorkerSettings.on(STACK, topics, "page-model", temp, images, "labeling-it"), weights, "page-base");
        worker.put(TrainingWorkerConfig.REFIT_MIN_LABELS_CONFIG, 3);
        worker.put(TrainingWorkerConfig.REFIT_EVERY_LABELS_CONFIG, 3);
        worker.put(TrainingWorkerConfig.HEAD_EPOCHS_CONFIG, 2);
        worker.put(TrainingWorkerConfig.METRICS_PROMETHEUS_PORT_CONFIG, 0);
        List<String> progress = new CopyOnWriteArrayList<>();

        Map<String, Object> settings = new HashMap<>();
        settings.put(FetchSettings.ALLOWED_ROOTS_CONFIG, images.toString());
        settings.put(LabelingConfig.HTTP_PORT_CONFIG, 0);
        settings.put(LabelingConfig.QUEUE_RANDOM_SHARE_CONFIG, 0.0);
        try (TrainingWorker training = TrainingWorker.start(new TrainingWorkerConfig(worker), line -> {
                    System.out.println("worker: " + line);
                    progress.add(line);
                });
                LabelingApp app = LabelingApp.start(
                        new LabelingConfig(settings), client, serdes, requests, topics.name(TopicRole.FEEDBACK));
                Browser chromium = new Browser(chromium())) {
            assertThat(training.awaitRunning(Duration.ofSeconds(90))).isTrue();
            WebDriver browser = chromium.driver();
            browser.get("http://127.0.0.1:" + app.address().getPort() + "/");
            for (int answered = 1; answered <= labels.size(); answered++) {
                await("image " + answered + " offered")
                        .atMost(PAGE_WAIT)
                        .until(() -> labels.containsKey(
                                browser.findElement(By.id("image-id")).getText()));
                new Actions(browser).sendKeys("1").perform();
                String count = Integer.toString(answered);
                await("answer " + answered + " sent")
                        .atMost(PAGE_WAIT)
                        .until(() -> count.equals(
                                browser.findElement(By.id("session-count")).getText()));
            }
            await("the worker refits on the page's labels")
                    .atMost(Duration.ofSeconds(180))
                    .until(() -> progress.stream().anyMatch(line -> line.contains("announced")));
        }
        assertThat(progress)
                .anySatisfy(line -> assertThat(line).contains("refit page-model v1: 3 labeled images"))
                .anySatisfy(line -> assertThat(line).contains("announced PROMOTED"));
    }

    private static List<String> idsOn(HoldoutSplit split, HoldoutSplit.Side side, int count) {
        List<String> ids = new ArrayList<>();
        for (int n = 0; ids.size() < count; n++) {
            if (split.sideOf("page-" + n, SplitHint.ANY) == side) {
                ids.add("page-" + n);
            }
        }
        return ids;
    }

    /** Quits the browser when the test is done with it. */
    private record Browser(WebDriver driver) implements AutoCloseable {
        @Override
        public void close() {
            driver.quit();
        }
    }

    private WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + temp.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    private static void awaitShown(WebDriver browser, String imageId) {
        await("image " + imageId + " offered")
                .atMost(PAGE_WAIT)
                .until(() ->
                        imageId.equals(browser.findElement(By.id("image-id")).getText()));
    }

    private static long imageWidth(WebDriver browser) {
        Object width =
                ((JavascriptExecutor) browser).executeScript("return document.getElementById('image').naturalWidth;");
        return width instanceof Number number ? number.longValue() : -1;
    }

    private static String countOf(WebDriver browser, String label) {
        List<WebElement> cells =
                browser.findElements(By.cssSelector("#per-class tr[data-label='" + label + "'] .count"));
        return cells.isEmpty() ? "" : cells.get(0).getText();
    }

    private static List<String> labelsOf(List<WebElement> buttons) {
        return buttons.stream()
                .map(button -> button.getDomAttribute("data-label"))
                .toList();
    }

    private static void awaitFeedback(
            Properties client, RegistrySerdes serdes, String topic, String imageId, String label, String labeler) {
        await("feedback for " + imageId).atMost(PAGE_WAIT).untilAsserted(() -> {
            List<LabelFeedback> found = new ArrayList<>();
            TopicRecords.<LabelFeedback>readToEnd(client, serdes, topic, "read_committed", (key, value) -> {
                if (imageId.equals(key)) {
                    found.add(value);
                }
            });
            assertThat(found).singleElement().satisfies(feedback -> {
                assertThat(feedback.getLabel().toString()).isEqualTo(label);
                assertThat(feedback.getLabeler().toString()).isEqualTo(labeler);
                assertThat(feedback.getUri().toString()).endsWith("/" + imageId + ".png");
            });
        });
    }

    private static void send(KafkaProducer<String, SpecificRecord> producer, String topic, SpecificRecord value)
            throws Exception {
        String key = value instanceof LabelRequest request
                ? request.getImageId().toString()
                : ((LabelFeedback) value).getImageId().toString();
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    private static LabelRequest request(Path images, String id, long second, Object... guesses) {
        List<ClassProbability> topK = new ArrayList<>();
        for (int i = 0; i < guesses.length; i += 2) {
            topK.add(new ClassProbability((String) guesses[i], ((Double) guesses[i + 1]).floatValue()));
        }
        return LabelRequest.newBuilder()
                .setImageId(id)
                .setUri(images.resolve(id + ".png").toUri().toString())
                .setModelName("it-model")
                .setModelVersion(3)
                .setTopK(topK)
                .setReason("confidence " + topK.get(0).getProbability() + " < 0.60")
                .setRequestedTime(T0.plusSeconds(second))
                .build();
    }

    private static void writePng(Path file, Color color) throws Exception {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                image.setRGB(x, y, color.getRGB());
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }
}
