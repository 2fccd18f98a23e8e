package io.imgstream.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Administers the schema registry through its Confluent-compatible API, so the same calls work against
 * Apicurio here and against a Confluent Schema Registry in a user's cluster.
 *
 * <p>Thread-safe. Every method does one blocking HTTP call bounded by the request timeout.
 */
public final class RegistryAdmin {

    /** Registry compatibility levels, as the Confluent API names them. */
    public enum Compatibility {
        NONE,
        BACKWARD,
        BACKWARD_TRANSITIVE,
        FORWARD,
        FORWARD_TRANSITIVE,
        FULL,
        FULL_TRANSITIVE
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final String baseUrl;
    private final String ccompatUrl;
    private final HttpClient http;
    private final Duration requestTimeout;

    /** An admin for the registry at {@code registryBaseUrl}, e.g. {@code http://127.0.0.1:18081}. */
    public RegistryAdmin(String registryBaseUrl, Duration requestTimeout) {
        this.ccompatUrl = RegistrySerdes.ccompatApiUrl(registryBaseUrl);
        this.baseUrl = ccompatUrl.substring(0, ccompatUrl.length() - RegistrySerdes.CCOMPAT_API_PATH.length());
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
    }

    /** Whether the registry answers its Confluent-compatible API now. Never throws. */
    public boolean isReachable() {
        try {
            return send(get("/config")).statusCode() == 200;
        } catch (RegistryException e) {
            return false;
        }
    }

    /** Sets the compatibility level every subject inherits unless it has its own. */
    public void setGlobalCompatibility(Compatibility level) {
        HttpResponse<String> response = send(put("/config", Map.of("compatibility", level.name())));
        requireOk(response, "set global compatibility to " + level);
    }

    /** The compatibility level every subject inherits. */
    public Compatibility globalCompatibility() {
        HttpResponse<String> response = send(get("/config"));
        requireOk(response, "read global compatibility");
        JsonNode body = parse(response.body());
        JsonNode level = body.has("compatibilityLevel") ? body.get("compatibilityLevel") : body.get("compatibility");
        return Compatibility.valueOf(level.asText());
    }

    /**
     * Registers {@code schema} under {@code subject}, or finds it if already there.
     *
     * @return the schema id, as it appears in the Confluent wire format
     * @throws IncompatibleSchemaException if the registry's compatibility rule refuses the schema
     */
    public int register(String subject, Schema schema) {
        HttpResponse<String> response =
                send(post("/subjects/" + subject + "/versions", Map.of("schema", schema.toString())));
        if (response.statusCode() == 409
                || response.statusCode() == 422 && response.body().contains("ompatib")) {
            throw new IncompatibleSchemaException(subject, response.body());
        }
        requireOk(response, "register a schema under " + subject);
        return parse(response.body()).get("id").asInt();
    }

    /**
     * Registers every topic's value schema under {@code <topic>-value}, so clients in any language can read from the
     * start.
     */
    public void registerAll(TopicCatalog topics) {
        for (TopicSpec topic : topics.all()) {
            register(topic.valueSubject(), topic.valueSchema());
        }
    }

    /** Whether {@code schema} could be registered under {@code subject} by the rules in force now. */
    public boolean isCompatible(String subject, Schema schema) {
        HttpResponse<String> response = send(
                post("/compatibility/subjects/" + subject + "/versions/latest", Map.of("schema", schema.toString())));
        if (response.statusCode() == 404) {
            return true;
        }
        requireOk(response, "check compatibility under " + subject);
        return parse(response.body()).get("is_compatible").asBoolean();
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }

    private HttpRequest put(String path, Object body) {
        return request(path)
                .PUT(HttpRequest.BodyPublishers.ofString(toJson(body)))
                .build();
    }

    private HttpRequest post(String path, Object body) {
        return request(path)
                .POST(HttpRequest.BodyPublishers.ofString(toJson(body)))
                .build();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(ccompatUrl + path))
                .timeout(requestTimeout)
                .header("Content-Type", CONTENT_TYPE)
                .header("Accept", CONTENT_TYPE);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new RegistryException(
                    "Couldn't connect to the schema registry at " + baseUrl
                            + ": is it running? ('imgstream stack status' shows the local one)",
                    e);
        } catch (IOException e) {
            throw new RegistryException(
                    "Schema registry at " + baseUrl + " did not answer " + request.method() + " "
                            + request.uri().getPath() + ": " + e,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("Interrupted while calling the schema registry at " + baseUrl, e);
        }
    }

    private void requireOk(HttpResponse<String> response, String what) {
        if (response.statusCode() / 100 != 2) {
            throw new RegistryException(
                    "Schema registry at " + baseUrl + " refused to " + what + ": HTTP " + response.statusCode() + " "
                            + response.body(),
                    null);
        }
    }

    private static String toJson(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new RegistryException("Schema registry answered with unreadable JSON: " + body, e);
        }
    }

    /** The registry could not be reached or refused a request. */
    public static class RegistryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RegistryException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The registry refused a schema because it breaks the subject's compatibility rule. */
    public static final class IncompatibleSchemaException extends RegistryException {
        private static final long serialVersionUID = 1L;

        public IncompatibleSchemaException(String subject, String registryAnswer) {
            super("Schema for subject " + subject + " breaks its compatibility rule: " + registryAnswer, null);
        }
    }
}
