package io.imgstream.labeling.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.images.FetchSettings;
import io.imgstream.labeling.LabelingSession;
import io.imgstream.labeling.budget.LabelBudget;
import io.imgstream.labeling.queue.LabelQueue;
import io.imgstream.labeling.queue.Uncertainty;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.LabelRequest;
import io.imgstream.schemas.avro.SplitHint;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page's endpoints over real HTTP, with real image files read through the scorer's fetch path; the broker is
 * the one part replaced, by a list of what was sent (the integration test sends to a real one).
 */
class LabelingServerTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    @TempDir
    Path temp;

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<LabelFeedback> sent = new CopyOnWriteArrayList<>();
    private final AtomicBoolean brokerAway = new AtomicBoolean();
    private Path root;
    private LabelingSession session;
    private LabelingServer server;

    @BeforeEach
    void start() throws Exception {
        root = Files.createDirectories(temp.resolve("images"));
        writePng(root.resolve("a.png"), Color.RED);
        writePng(root.resolve("b.png"), Color.BLUE);
        Files.writeString(temp.resolve("secret.txt"), "not for the page");
        FetchSettings fetch = FetchSettings.from(new AbstractConfig(
                FetchSettings.define(new ConfigDef()),
                Map.of(FetchSettings.ALLOWED_ROOTS_CONFIG, root.toString()),
                false));
        session = new LabelingSession(
                new LabelQueue(Uncertainty.ENTROPY, 0, 1, 100),
                new LabelBudget(2, 0, Clock.systemUTC()),
                feedback -> {
                    if (brokerAway.get()) {
                        throw new KafkaException("broker away");
                    }
                    sent.add(feedback);
                },
                fetch.loader(),
                "default-labeler",
                Clock.systemUTC());
        server = LabelingServer.start(session, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldOfferTheMostUncertainImageOnceAndSendItsLabel() throws Exception {
        assertThat(get("/api/next").get("state").asText()).isEqualTo("loading");
        session.onRequest(request("a", root.resolve("a.png").toUri().toString(), 1, 0.5, 0.4));
        session.onRequest(request("b", root.resolve("b.png").toUri().toString(), 2, 0.9, 0.05));
        session.onRequest(request("a", root.resolve("a.png").toUri().toString(), 3, 0.35, 0.33));
        session.onFeedback(feedback("already", "Coat"));
        session.onRequest(request("already", root.resolve("b.png").toUri().toString(), 4, 0.3, 0.3));
        session.caughtUp();

        JsonNode next = get("/api/next");
        assertThat(next.get("state").asText()).isEqualTo("ready");
        assertThat(next.at("/image/id").asText()).isEqualTo("a");
        assertThat(next.at("/image/guesses/0/label").asText()).isEqualTo("class0");
        assertThat(next.at("/image/guesses").size()).isEqualTo(2);
        assertThat(next.get("knownClasses").toString()).contains("Coat", "class0", "class1");
        // Asking again is the same image, not the next one.
        assertThat(get("/api/next").at("/image/id").asText()).isEqualTo("a");

        HttpResponse<byte[]> image = http.send(
                HttpRequest.newBuilder(uri(next.at("/image/url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).contains("image/png");
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(image.body()));
        assertThat(new Color(decoded.getRGB(3, 3))).isEqualTo(Color.RED);

        HttpResponse<String> labeled =
                post("/api/label", "{\"imageId\":\"a\",\"label\":\"Sandal\",\"labeler\":\"ada\"}");
        assertThat(labeled.statusCode()).as(labeled.body()).isEqualTo(200);
        assertThat(sent).singleElement().satisfies(feedback -> {
            assertThat(feedback.getImageId().toString()).isEqualTo("a");
            assertThat(feedback.getLabel().toString()).isEqualTo("Sandal");
            assertThat(feedback.getLabeler().toString()).isEqualTo("ada");
            assertThat(feedback.getUri().toString())
                    .isEqualTo(root.resolve("a.png").toUri().toString());
            assertThat(feedback.getSplit()).isEqualTo(SplitHint.ANY);
        });

        assertThat(get("/api/next").at("/image/id").asText()).isEqualTo("b");
        assertThat(post("/api/label", "{\"imageId\":\"a\",\"label\":\"Sandal\"}")
                        .statusCode())
                .isEqualTo(404);
        JsonNode progress = get("/api/progress");
        assertThat(progress.get("labeledThisSession").asLong()).isEqualTo(1);
        assertThat(progress.get("waiting").asInt()).isZero();
        assertThat(progress.get("imagesByClass")).isEqualTo(mapper.readTree("{\"Coat\":1,\"Sandal\":1}"));

        HttpResponse<String> unnamed = post("/api/label", "{\"imageId\":\"b\",\"label\":\"Bag\"}");
        assertThat(unnamed.statusCode()).isEqualTo(200);
        assertThat(sent.get(1).getLabeler().toString()).isEqualTo("default-labeler");
        assertThat(get("/api/next").get("state").asText()).isEqualTo("empty");
    }

    @Test
    void shouldNeverReadAnImageOutsideTheAllowedRoots() throws Exception {
        session.onRequest(request("secret", temp.resolve("secret.txt").toUri().toString(), 1, 0.5, 0.5));
        session.onRequest(request("dots", root.toUri() + "../secret.txt", 2, 0.5, 0.5));
        session.caughtUp();

        for (String id : List.of("secret", "dots")) {
            HttpResponse<String> image = http.send(
                    HttpRequest.newBuilder(uri("/image/" + id)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(image.statusCode()).isEqualTo(422);
            assertThat(image.body()).doesNotContain("not for the page");
            assertThat(mapper.readTree(image.body()).get("kind").asText()).isEqualTo("IMAGE_REFUSED");
        }
        HttpResponse<String> unknown =
                http.send(HttpRequest.newBuilder(uri("/image/nobody")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    @Test
    void shouldRefuseAnswersOnceTheBudgetIsSpentAndGiveBackWhatTheBrokerRefused() throws Exception {
        for (String id : List.of("a", "b", "c", "d")) {
            session.onRequest(request(id, root.resolve("a.png").toUri().toString(), 1, 0.5, 0.4));
        }
        session.caughtUp();

        brokerAway.set(true);
        HttpResponse<String> failed = post("/api/label", "{\"imageId\":\"a\",\"label\":\"Bag\"}");
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(mapper.readTree(failed.body()).get("error").asText()).contains("broker away");
        brokerAway.set(false);

        assertThat(post("/api/label", "{\"imageId\":\"a\",\"label\":\"Bag\"}").statusCode())
                .isEqualTo(200);
        assertThat(post("/api/label", "{\"imageId\":\"b\",\"label\":\"Bag\"}").statusCode())
                .isEqualTo(200);
        HttpResponse<String> spent = post("/api/label", "{\"imageId\":\"c\",\"label\":\"Bag\"}");
        assertThat(spent.statusCode()).isEqualTo(429);
        assertThat(mapper.readTree(spent.body()).get("kind").asText()).isEqualTo("BUDGET_SPENT");
        assertThat(sent).hasSize(2);
        assertThat(get("/api/progress").at("/budget/spentUntil").isTextual()).isTrue();
    }

    @Test
    void shouldAnswerMalformedRequestsWithJsonErrors() throws Exception {
        session.onRequest(request("a", root.resolve("a.png").toUri().toString(), 1, 0.5, 0.4));
        session.caughtUp();

        assertThat(post("/api/label", "{\"imageId\":").statusCode()).isEqualTo(400);
        assertThat(post("/api/label", "[1]").statusCode()).isEqualTo(400);
        assertThat(post("/api/label", "{\"imageId\":\"a\"}").statusCode()).isEqualTo(400);
        assertThat(post("/api/label", "{\"imageId\":\"a\",\"label\":7}").statusCode())
                .isEqualTo(400);
        assertThat(post("/api/label", "{\"imageId\":\"a\",\"label\":\"  \"}").statusCode())
                .isEqualTo(400);
        String huge = "{\"imageId\":\"a\",\"label\":\"" + "x".repeat(LabelingServer.MAX_BODY_BYTES) + "\"}";
        HttpResponse<String> tooLarge = post("/api/label", huge);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(mapper.readTree(tooLarge.body()).get("error").asText()).contains("larger than");

        HttpResponse<String> form = http.send(
                HttpRequest.newBuilder(uri("/api/label"))
                        .header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"imageId\":\"a\",\"label\":\"Bag\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(415);
        HttpResponse<String> wrongMethod = http.send(
                HttpRequest.newBuilder(uri("/api/progress"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(sent).isEmpty();

        HttpResponse<String> page =
                http.send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/api/next", "/api/label");
    }

    @Test
    void shouldRefuseRequestsNamingAnotherHost() throws Exception {
        session.onRequest(request("a", root.resolve("a.png").toUri().toString(), 1, 0.5, 0.4));
        session.caughtUp();

        // What a page of evil.example sends once its name resolves to 127.0.0.1 (DNS rebinding).
        String answer = rawGet("/api/next", "evil.example:" + server.address().getPort());
        assertThat(answer).startsWith("HTTP/1.1 403").doesNotContain("\"id\":\"a\"");
        assertThat(rawGet("/api/next", "localhost:" + server.address().getPort()))
                .startsWith("HTTP/1.1 200");
    }

    private String rawGet(String path, String host) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response =
                http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return mapper.readTree(response.body());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    private static LabelRequest request(String id, String uri, long second, double... probabilities) {
        List<ClassProbability> topK = new java.util.ArrayList<>();
        for (int i = 0; i < probabilities.length; i++) {
            topK.add(new ClassProbability("class" + i, (float) probabilities[i]));
        }
        return LabelRequest.newBuilder()
                .setImageId(id)
                .setUri(uri)
                .setModelName("m")
                .setModelVersion(1)
                .setTopK(topK)
                .setReason("confidence low")
                .setRequestedTime(T0.plusSeconds(second))
                .build();
    }

    private static LabelFeedback feedback(String id, String label) {
        return LabelFeedback.newBuilder()
                .setImageId(id)
                .setLabel(label)
                .setLabeler("someone")
                .setTime(T0)
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
