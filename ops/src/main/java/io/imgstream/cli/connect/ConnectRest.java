package io.imgstream.cli.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A Kafka Connect worker's REST API: create or update, status, delete. */
public final class ConnectRest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param baseUrl the worker's REST URL, e.g. {@code http://127.0.0.1:18083} */
    public ConnectRest(String baseUrl) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
    }

    /** A refusal or failure, with Connect's own message. */
    public static final class RestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RestException(String message) {
            super(message);
        }
    }

    /** Creates the connector, or updates its configuration; returns whether it was created. */
    public boolean put(String name, Map<String, String> config) {
        HttpResponse<String> response = send("PUT", "/connectors/" + name + "/config", json(config));
        return response.statusCode() == 201;
    }

    /** Every connector with its state and its tasks' states. */
    public JsonNode statuses() {
        return parse(send("GET", "/connectors?expand=status&expand=info", null));
    }

    /** One connector's status. */
    public JsonNode status(String name) {
        return parse(send("GET", "/connectors/" + name + "/status", null));
    }

    /** Deletes the connector; its offsets stay. */
    public void delete(String name) {
        send("DELETE", "/connectors/" + name, null);
    }

    private HttpResponse<String> send(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RestException("no Kafka Connect worker answers at " + baseUrl + " ("
                    + e.getClass().getSimpleName()
                    + "): start one with 'imgstream stack up --connect' or pass --connect-url");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestException("interrupted while talking to " + baseUrl);
        }
        if (response.statusCode() >= 300) {
            throw new RestException("Kafka Connect refused " + method + " " + path + " (HTTP " + response.statusCode()
                    + "): " + message(response.body()));
        }
        return response;
    }

    private static String message(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node.hasNonNull("message") ? node.get("message").asText() : body;
        } catch (JsonProcessingException e) {
            return body;
        }
    }

    private static JsonNode parse(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new RestException("Kafka Connect answered something that is not JSON: " + response.body());
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
