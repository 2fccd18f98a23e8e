package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.schemas.RegistryAdmin;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The schema registry of the local stack, as imgstream uses it: BACKWARD compatibility enforced on the
 * real subjects, and a wire format that Confluent clients in other languages can resolve through the
 * Confluent-compatible API.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SchemaCompatibilityIT {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private static final String IMAGES_VALUE =
            TopicCatalog.defaults().get(TopicRole.IMAGES).valueSubject();
    private static final int UNRELATED_SUBJECTS = 3;

    private static RegistryAdmin registry;

    // One content under several subjects: each subject gets a new global id but shares the content id, so
    // from here on content ids and global ids differ and a serde that wrote the wrong one would be caught.
    @BeforeAll
    static void registerUnrelatedArtifacts() {
        registry = new RegistryAdmin(STACK.registryUrl(), TIMEOUT);
        Schema unrelated = SchemaBuilder.record("Unrelated")
                .namespace("io.imgstream.it")
                .fields()
                .requiredString("name")
                .endRecord();
        for (int i = 0; i < UNRELATED_SUBJECTS; i++) {
            registry.register("it-unrelated-" + i + "-value", unrelated);
        }
    }

    @Test
    void shouldEnforceBackwardCompatibilityAfterStackUp() {
        assertThat(registry.globalCompatibility()).isEqualTo(RegistryAdmin.Compatibility.BACKWARD);
    }

    @Test
    void shouldRejectAnImageRefWithANewRequiredField() {
        Schema withRequiredField = imageRefWith(new Schema.Field(
                "tenant",
                Schema.create(Schema.Type.STRING),
                "Owning tenant, without a default: old records cannot be read with it."));

        assertThat(registry.isCompatible(IMAGES_VALUE, withRequiredField)).isFalse();
        assertThatThrownBy(() -> registry.register(IMAGES_VALUE, withRequiredField))
                .isInstanceOf(RegistryAdmin.IncompatibleSchemaException.class)
                .hasMessageContaining(IMAGES_VALUE);
    }

    @Test
    void shouldRejectAnImageRefWhoseFieldChangesType() {
        Schema original = ImageRef.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : original.getFields()) {
            Schema type = field.name().equals("eventTime") ? Schema.create(Schema.Type.STRING) : field.schema();
            fields.add(new Schema.Field(field, type));
        }
        Schema eventTimeAsString =
                Schema.createRecord(original.getName(), original.getDoc(), original.getNamespace(), false, fields);

        assertThatThrownBy(() -> registry.register(IMAGES_VALUE, eventTimeAsString))
                .isInstanceOf(RegistryAdmin.IncompatibleSchemaException.class);
    }

    @Test
    void shouldAcceptAnImageRefWithANewOptionalField() {
        Schema withOptionalField = imageRefWith(new Schema.Field(
                "tenant",
                Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                "Owning tenant; null for records written before it existed.",
                JsonProperties.NULL_VALUE));

        assertThat(registry.isCompatible(IMAGES_VALUE, withOptionalField)).isTrue();
        assertThat(registry.register(IMAGES_VALUE, withOptionalField)).isPositive();
    }

    @Test
    void shouldWriteIdsThatConfluentClientsResolveThroughTheCompatibleApi() throws Exception {
        String topic = "it-wire-images";
        String subject = topic + "-value";
        ImageRef image = ImageRef.newBuilder()
                .setId("img-42")
                .setUri("file:///data/cats/42.jpg")
                .setSource("SchemaCompatibilityIT")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setAttributes(Map.of("camera", "left"))
                .build();
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());

        byte[] bytes;
        try (Serializer<ImageRef> serializer = serdes.valueSerializer()) {
            bytes = serializer.serialize(topic, image);
        }

        assertThat(bytes[0]).as("Confluent magic byte").isEqualTo((byte) 0);
        int wireId = ByteBuffer.wrap(bytes, 1, 4).getInt();
        JsonNode version = getJson(RegistrySerdes.nativeApiUrl(STACK.registryUrl()) + "/groups/default/artifacts/"
                + subject + "/versions/1");
        assertThat(version.get("globalId").asLong())
                .as("global id of %s; must differ from its content id for this test to tell them apart", subject)
                .isNotEqualTo(version.get("contentId").asLong());
        assertThat(wireId)
                .as("schema id on the wire")
                .isEqualTo(version.get("contentId").asInt());

        String ccompat = RegistrySerdes.ccompatApiUrl(STACK.registryUrl());
        JsonNode byId = getJson(ccompat + "/schemas/ids/" + wireId);
        assertThat(new Schema.Parser().parse(byId.get("schema").asText())).isEqualTo(ImageRef.getClassSchema());
        JsonNode lookup = postJson(
                ccompat + "/subjects/" + subject,
                Map.of("schema", ImageRef.getClassSchema().toString()));
        assertThat(lookup.get("id").asInt())
                .as("id a Confluent producer would write")
                .isEqualTo(wireId);

        try (Deserializer<ImageRef> deserializer = serdes.valueDeserializer()) {
            assertThat(deserializer.deserialize(topic, bytes)).isEqualTo(image);
        }
    }

    private static Schema imageRefWith(Schema.Field extra) {
        Schema original = ImageRef.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : original.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        fields.add(extra);
        return Schema.createRecord(original.getName(), original.getDoc(), original.getNamespace(), false, fields);
    }

    private static JsonNode getJson(String url) throws IOException, InterruptedException {
        return send(
                HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build());
    }

    private static JsonNode postJson(String url, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build());
    }

    private static JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("%s %s answered %s", request.method(), request.uri(), response.body())
                .isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
