package io.imgstream.labeling.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.imgstream.labeling.LabelingException;
import io.imgstream.labeling.LabelingSession;
import io.imgstream.labeling.budget.LabelBudget;
import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.LabelRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labeling page and the JSON endpoints behind it, on the JDK's HTTP server:
 *
 * <ul>
 *   <li>{@code GET /} the page;
 *   <li>{@code GET /api/next} the image to label now, with the model's guesses and the known classes;
 *   <li>{@code POST /api/label} {@code {"imageId", "label", "labeler"}} sends a label;
 *   <li>{@code POST /api/skip} {@code {"imageId"}} skips an image;
 *   <li>{@code GET /api/progress} labels this session, queue length, the labeled set per class, the budget;
 *   <li>{@code GET /image/ID} a waiting image, read under the fetch policy and re-encoded as PNG.
 * </ul>
 *
 * <p>Request bodies are JSON of at most {@value #MAX_BODY_BYTES} bytes, sent as {@code application/json} (which a
 * page of another site can't send here without the browser asking first, unanswered); errors are JSON objects
 * {@code {"error", "kind"}}.
 */
public final class LabelingServer implements AutoCloseable {

    /** Largest request body read, in bytes. */
    public static final int MAX_BODY_BYTES = 16 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(LabelingServer.class);
    private static final String PAGE = "index.html";
    private static final String IMAGE_PATH = "/image/";
    private static final String JSON = "application/json";
    private static final int THREADS = 4;
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");

    private final HttpServer server;
    private final ExecutorService executor;
    private final LabelingSession session;
    private final ObjectMapper mapper = new ObjectMapper();
    private final byte[] page;
    private final boolean loopbackOnly;

    private LabelingServer(HttpServer server, ExecutorService executor, LabelingSession session, byte[] page) {
        this.server = server;
        this.executor = executor;
        this.session = session;
        this.page = page;
        this.loopbackOnly = server.getAddress().getAddress().isLoopbackAddress();
    }

    /**
     * Starts serving the page.
     *
     * @param session     what the page works on
     * @param bindAddress the address to listen on
     * @param port        the port, 0 for any free one
     * @throws UncheckedIOException if the address and port can't be bound
     */
    public static LabelingServer start(LabelingSession session, String bindAddress, int port) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve the labeling page on " + bindAddress + ":" + port + " (" + e.getMessage()
                            + "); choose another port",
                    e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, task -> {
            Thread thread = new Thread(task, "labeling-http");
            thread.setDaemon(true);
            return thread;
        });
        LabelingServer labeling = new LabelingServer(server, executor, session, readPage());
        server.createContext("/", exchange -> labeling.handle(exchange, labeling::page));
        server.createContext("/api/next", exchange -> labeling.handle(exchange, labeling::next));
        server.createContext("/api/label", exchange -> labeling.handle(exchange, labeling::label));
        server.createContext("/api/skip", exchange -> labeling.handle(exchange, labeling::skip));
        server.createContext("/api/progress", exchange -> labeling.handle(exchange, labeling::progress));
        server.createContext(IMAGE_PATH, exchange -> labeling.handle(exchange, labeling::image));
        server.setExecutor(executor);
        server.start();
        return labeling;
    }

    /** Where the page listens. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** One endpoint: answers the exchange, or fails with the status and message the client gets. */
    @FunctionalInterface
    private interface Endpoint {
        void answer(HttpExchange exchange) throws IOException, ApiError, LabelingException, InterruptedException;
    }

    /** A refusal of the request itself, before the session sees it. */
    private static final class ApiError extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private void handle(HttpExchange exchange, Endpoint endpoint) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            try {
                requireLoopbackHost(exchange);
                endpoint.answer(exchange);
            } catch (ApiError e) {
                error(exchange, e.status, "BAD_REQUEST", e.getMessage());
            } catch (LabelingException e) {
                error(exchange, statusOf(e.kind()), e.kind().name(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                error(exchange, 503, "INTERRUPTED", "the page is shutting down");
            } catch (RuntimeException e) {
                LOG.error(
                        "The labeling page failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                error(exchange, 500, "INTERNAL", "the page failed: " + e);
            }
        }
    }

    private static int statusOf(LabelingException.Kind kind) {
        return switch (kind) {
            case UNKNOWN_IMAGE -> 404;
            case BAD_ANSWER -> 400;
            case BUDGET_SPENT -> 429;
            case IMAGE_REFUSED -> 422;
            case SEND_FAILED -> 503;
        };
    }

    private void page(HttpExchange exchange) throws IOException, ApiError {
        requireMethod(exchange, "GET");
        if (!exchange.getRequestURI().getPath().equals("/")) {
            throw new ApiError(404, "no such page: " + exchange.getRequestURI().getPath());
        }
        respond(exchange, 200, "text/html; charset=utf-8", page);
    }

    private void next(HttpExchange exchange) throws IOException, ApiError {
        requireMethod(exchange, "GET");
        LabelingSession.Offer offer = session.next();
        ObjectNode body = mapper.createObjectNode().put("state", offer.state());
        offer.request().ifPresent(request -> body.set("image", imageJson(request)));
        ArrayNode classes = body.putArray("knownClasses");
        session.knownClasses().forEach(classes::add);
        json(exchange, 200, body);
    }

    private ObjectNode imageJson(LabelRequest request) {
        String id = request.getImageId().toString();
        ObjectNode image = mapper.createObjectNode()
                .put("id", id)
                .put(
                        "url",
                        IMAGE_PATH
                                + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"))
                .put("modelName", request.getModelName().toString())
                .put("modelVersion", request.getModelVersion())
                .put("reason", request.getReason().toString())
                .put("requestedTime", request.getRequestedTime().toString());
        ArrayNode guesses = image.putArray("guesses");
        for (ClassProbability guess : request.getTopK()) {
            guesses.addObject().put("label", guess.getLabel().toString()).put("probability", guess.getProbability());
        }
        return image;
    }

    private void label(HttpExchange exchange) throws IOException, ApiError, LabelingException, InterruptedException {
        JsonNode request = body(exchange);
        LabelFeedback sent = session.label(
                text(request, "imageId", true), text(request, "label", true), text(request, "labeler", false));
        ObjectNode body = mapper.createObjectNode()
                .put("imageId", sent.getImageId().toString())
                .put("label", sent.getLabel().toString())
                .put("labeler", sent.getLabeler().toString());
        json(exchange, 200, body);
    }

    private void skip(HttpExchange exchange) throws IOException, ApiError, LabelingException {
        String id = text(body(exchange), "imageId", true);
        session.skip(id);
        json(exchange, 200, mapper.createObjectNode().put("skipped", id));
    }

    private void progress(HttpExchange exchange) throws IOException, ApiError {
        requireMethod(exchange, "GET");
        LabelingSession.Progress progress = session.progress();
        ObjectNode body = mapper.createObjectNode()
                .put("labeledThisSession", progress.labeledThisSession())
                .put("skipped", progress.skipped())
                .put("waiting", progress.waiting())
                .put("dropped", progress.dropped())
                .put("rejected", progress.rejected())
                .put("labeledImages", progress.labeledImages())
                .put("defaultLabeler", progress.defaultLabeler())
                .put("caughtUp", progress.caughtUp());
        progress.intakeProblem().ifPresent(problem -> body.put("intakeProblem", problem));
        ObjectNode perClass = body.putObject("imagesByClass");
        for (Map.Entry<String, Integer> entry : progress.imagesByClass().entrySet()) {
            perClass.put(entry.getKey(), entry.getValue());
        }
        LabelBudget.Status budget = progress.budget();
        ObjectNode budgetJson = body.putObject("budget")
                .put("usedThisHour", budget.usedThisHour())
                .put("perHour", budget.perHour())
                .put("usedToday", budget.usedToday())
                .put("perDay", budget.perDay());
        budget.spentUntil().ifPresent(until -> budgetJson.put("spentUntil", until.toString()));
        json(exchange, 200, body);
    }

    private void image(HttpExchange exchange) throws IOException, ApiError, LabelingException {
        requireMethod(exchange, "GET");
        String id = exchange.getRequestURI().getPath().substring(IMAGE_PATH.length());
        respond(exchange, 200, BrowserImage.CONTENT_TYPE, BrowserImage.png(session.image(id)));
    }

    /**
     * On a loopback address, only requests that name a loopback host: a site whose name a DNS trick points at
     * 127.0.0.1 still sends its own name, and must not read the images or send labels.
     */
    private void requireLoopbackHost(HttpExchange exchange) throws ApiError {
        if (!loopbackOnly) {
            return;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        String name = host == null ? "" : host.replaceFirst(":[0-9]*$", "").toLowerCase(Locale.ROOT);
        if (!LOOPBACK_NAMES.contains(name)) {
            throw new ApiError(403, "the page answers requests for localhost or 127.0.0.1 only, not '" + host + "'");
        }
    }

    private static void requireMethod(HttpExchange exchange, String method) throws ApiError {
        if (!exchange.getRequestMethod().equals(method)) {
            exchange.getResponseHeaders().set("Allow", method);
            throw new ApiError(405, exchange.getRequestURI().getPath() + " takes " + method + " only");
        }
    }

    /** The request's JSON object body, read no further than {@value #MAX_BODY_BYTES} bytes. */
    private JsonNode body(HttpExchange exchange) throws IOException, ApiError {
        requireMethod(exchange, "POST");
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(JSON)) {
            throw new ApiError(415, "send the body as " + JSON);
        }
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new ApiError(413, "the body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode node;
        try {
            node = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "the body is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "the body is not a JSON object");
        }
        return node;
    }

    private static String text(JsonNode body, String field, boolean required) throws ApiError {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new ApiError(400, "the body has no '" + field + "'");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiError(400, "'" + field + "' is not a string");
        }
        return value.asText();
    }

    private void error(HttpExchange exchange, int status, String kind, String message) throws IOException {
        json(exchange, status, mapper.createObjectNode().put("error", message).put("kind", kind));
    }

    private void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        respond(exchange, status, JSON + "; charset=utf-8", mapper.writeValueAsBytes(body));
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] readPage() {
        try (InputStream in = LabelingServer.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException("the page " + PAGE + " is missing from the labeling jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the page " + PAGE + " failed", e);
        }
    }
}
