package io.imgstream.schemas;

import io.apicurio.registry.resolver.config.SchemaResolverConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerde;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.IdOption;
import io.apicurio.registry.serde.config.SerdeConfig;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Builds every Avro serde of the system from one registry address, so producers, Streams apps and
 * consumers agree on the wire format.
 *
 * <p>The wire format is Confluent's: magic byte 0, a 4-byte schema id, then Avro binary. Ids are
 * Apicurio <em>content ids</em>, which is what Apicurio's Confluent-compatible API
 * ({@code /apis/ccompat/v7}) hands out as schema ids, so clients in other languages using Confluent's
 * serializers against that API read and write the same bytes. Ids in record headers stay off: Confluent
 * clients don't look there.
 *
 * <p>Specific records are only deserialized when the JVM trusts their package, see {@link AvroTrust}.
 */
public final class RegistrySerdes {

    /** The path of Apicurio's native v3 API, used by the Java serdes. */
    public static final String NATIVE_API_PATH = "/apis/registry/v3";
    /** The path of Apicurio's Confluent-compatible API, for Confluent clients in any language. */
    public static final String CCOMPAT_API_PATH = "/apis/ccompat/v7";

    private final Map<String, Object> config;

    private RegistrySerdes(Map<String, Object> config) {
        this.config = Map.copyOf(config);
    }

    /**
     * Serdes talking to the registry at {@code registryBaseUrl}, e.g. {@code http://127.0.0.1:18081}.
     * Schemas are registered on first write (auto-register).
     */
    public static RegistrySerdes forRegistry(String registryBaseUrl) {
        Map<String, Object> config = new HashMap<>();
        config.put(SerdeConfig.REGISTRY_URL, nativeApiUrl(registryBaseUrl));
        config.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, true);
        config.put(SerdeConfig.USE_ID, IdOption.contentId.name());
        config.put(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        // Register each schema whole: split into referenced sub-schemas (Apicurio's default for nested
        // records) it is unreadable for clients without schema-reference support, e.g. Confluent's Python one.
        config.put(SchemaResolverConfig.DEREFERENCE_SCHEMA, true);
        config.put("apicurio.registry.headers.enabled", false);
        return new RegistrySerdes(config);
    }

    /** The native API URL for a registry base URL; tolerant of a trailing slash or an API path already present. */
    public static String nativeApiUrl(String registryBaseUrl) {
        return baseUrl(registryBaseUrl) + NATIVE_API_PATH;
    }

    /** The Confluent-compatible API URL for a registry base URL. */
    public static String ccompatApiUrl(String registryBaseUrl) {
        return baseUrl(registryBaseUrl) + CCOMPAT_API_PATH;
    }

    private static String baseUrl(String registryBaseUrl) {
        URI uri = URI.create(registryBaseUrl.trim());
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "registry URL must look like http://host:port, got '" + registryBaseUrl + "'");
        }
        String base = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        String path = uri.getPath() == null ? "" : uri.getPath();
        for (String api : new String[] {NATIVE_API_PATH, CCOMPAT_API_PATH}) {
            int at = path.indexOf(api);
            if (at >= 0) {
                path = path.substring(0, at);
            }
        }
        return base + path.replaceAll("/+$", "");
    }

    /** The serde properties, for clients configured from a property map (e.g. Kafka Streams' default serdes). */
    public Map<String, Object> config() {
        return config;
    }

    /** A configured value serde for Kafka Streams. */
    public <T extends SpecificRecord> Serde<T> valueSerde() {
        AvroSerde<T> serde = new AvroSerde<>();
        serde.configure(config, false);
        return serde;
    }

    /** A configured value serializer for plain producers. */
    public <T extends SpecificRecord> Serializer<T> valueSerializer() {
        AvroKafkaSerializer<T> serializer = new AvroKafkaSerializer<>();
        serializer.configure(config, false);
        return serializer;
    }

    /** A configured value deserializer for plain consumers, returning the generated specific classes. */
    public <T extends SpecificRecord> Deserializer<T> valueDeserializer() {
        AvroTrust.requireTrusted();
        AvroKafkaDeserializer<T> deserializer = new AvroKafkaDeserializer<>();
        deserializer.configure(config, false);
        return deserializer;
    }

    /**
     * A configured value deserializer that reads {@code type} only: a record in the wire format of another registered
     * schema fails with a {@link org.apache.kafka.common.errors.SerializationException}, like any record that does
     * not deserialize, instead of reaching code that expects a {@code type}.
     */
    public <T extends SpecificRecord> Deserializer<T> valueDeserializer(Class<T> type) {
        return new TypedDeserializer<>(valueDeserializer(), type);
    }
}
