package io.imgstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.images.FetchSettings;
import io.imgstream.schemas.TopicRole;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ScorerConfigTest {

    @Test
    void shouldDocumentEveryKey() {
        for (ConfigDef.ConfigKey key : ScorerConfig.CONFIG.configKeys().values()) {
            assertThat(key.documentation)
                    .as("documentation of %s", key.name)
                    .isNotBlank()
                    .endsWith(".");
        }
    }

    @Test
    void shouldApplyDefaults() {
        ScorerConfig config = new ScorerConfig(required());

        assertThat(config.streamsProperties())
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, ScorerConfig.DEFAULT_APPLICATION_ID);
        assertThat(config.fetch().allowedSchemes()).containsExactly("file", "inline");
        assertThat(config.fetch().allowedRoots()).isEmpty();
        assertThat(config.topics().name(TopicRole.IMAGES_DLQ)).isEqualTo("images-dlq");
    }

    @Test
    void shouldRequireAModelNameWhenNoBundleIsConfigured() {
        Map<String, Object> props = required();
        props.remove(ScorerConfig.MODEL_BUNDLE_CONFIG);

        assertThatThrownBy(() -> new ScorerConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ScorerConfig.MODEL_NAME_CONFIG)
                .hasMessageContaining("required when model.bundle is empty");

        props.put(ScorerConfig.MODEL_NAME_CONFIG, "pets");
        assertThat(new ScorerConfig(props).modelName()).isEqualTo("pets");

        props.put(ScorerConfig.MODEL_VERSIONS_FOLLOW_CONFIG, "false");
        assertThatThrownBy(() -> new ScorerConfig(props)).hasMessageContaining("no model to score with");
    }

    @Test
    void shouldRequireAHostAllowListWhenHttpIsAllowed() {
        Map<String, Object> props = required();
        props.put(FetchSettings.ALLOWED_SCHEMES_CONFIG, "file,https");

        assertThatThrownBy(() -> new ScorerConfig(props))
                .hasMessageContaining("fetch.allowed.hosts")
                .hasMessageContaining("allows http or https");

        props.put(FetchSettings.ALLOWED_HOSTS_CONFIG, "Images.Example.com,*.cdn.example.com");
        assertThat(new ScorerConfig(props).fetch().allowedHosts())
                .containsExactly("images.example.com", "*.cdn.example.com");
    }

    @Test
    void shouldAllowTheWebPortsByDefaultAndRefuseWhatIsNoPort() {
        Map<String, Object> props = required();
        assertThat(new ScorerConfig(props).fetch().allowedPorts()).containsExactly(80, 443);

        props.put(FetchSettings.ALLOWED_PORTS_CONFIG, "443,99999");
        assertThatThrownBy(() -> new ScorerConfig(props)).hasMessageContaining("'99999' is not a port");
        props.put(FetchSettings.ALLOWED_PORTS_CONFIG, "8443");
        assertThat(new ScorerConfig(props).fetch().allowedPorts()).containsExactly(8443);
    }

    @Test
    void shouldApplyBatchingDefaultsAndShortenStreamsPolling() {
        ScorerConfig config = new ScorerConfig(required());

        assertThat(config.batchSize()).as("0: chosen for the backend").isZero();
        assertThat(config.batching().linger()).hasMillis(ScorerConfig.DEFAULT_BATCH_LINGER_MS);
        assertThat(config.batching().maxInFlight()).isEqualTo(ScorerConfig.DEFAULT_BATCH_MAX_IN_FLIGHT);
        assertThat(config.batching().maxWaiting(8)).isEqualTo(24);
        assertThat(config.streamsProperties())
                .containsEntry(StreamsConfig.POLL_MS_CONFIG, ScorerConfig.DEFAULT_POLL_MS);
    }

    @Test
    void shouldKeepATransactionOpenLongerThanTheStreamThreadMayWaitInsideIt() {
        String timeout = StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        Map<String, Object> props = required();
        props.put(ScorerConfig.INFERENCE_TIMEOUT_MS_CONFIG, "20000");
        props.put(ScorerConfig.FETCH_TIMEOUT_MS_CONFIG, "5000");

        assertThat(new ScorerConfig(props).streamsProperties())
                .as("a forward pass, a batch's images and a margin; not Kafka Streams' 10 s")
                .containsEntry(timeout, 55_000);

        props.put("kafka.transaction.timeout.ms", "70000");
        assertThat(new ScorerConfig(props).streamsProperties())
                .as("the operator's choice stands")
                .doesNotContainKey(timeout)
                .containsEntry(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "70000");
    }

    @Test
    void shouldRefuseAnInferenceTimeoutTheConsumerGroupWouldNotWaitFor() {
        Map<String, Object> props = required();
        props.put("kafka.max.poll.interval.ms", "60000");
        props.put(ScorerConfig.INFERENCE_TIMEOUT_MS_CONFIG, "90000");

        assertThatThrownBy(() -> new ScorerConfig(props))
                .hasMessageContaining("inference.timeout.ms")
                .hasMessageContaining("90000")
                .hasMessageContaining("max.poll.interval.ms (60000)");
    }

    @Test
    void shouldNameTheBadKeyAndValue() {
        Map<String, Object> props = required();
        props.put(FetchSettings.MAX_BYTES_CONFIG, "-5");
        assertThatThrownBy(() -> new ScorerConfig(props))
                .hasMessageContaining("fetch.max.bytes")
                .hasMessageContaining("-5");

        props.put(FetchSettings.MAX_BYTES_CONFIG, "100");
        props.put(FetchSettings.ALLOWED_SCHEMES_CONFIG, "file,gopher");
        assertThatThrownBy(() -> new ScorerConfig(props))
                .hasMessageContaining("fetch.allowed.schemes")
                .hasMessageContaining("gopher");

        props.put(FetchSettings.ALLOWED_SCHEMES_CONFIG, "file");
        props.put(ScorerConfig.MODEL_BUNDLE_SHA256_CONFIG, "abc");
        assertThatThrownBy(() -> new ScorerConfig(props))
                .hasMessageContaining("model.bundle.sha256")
                .hasMessageContaining("64 hex");
    }

    @Test
    void shouldPassKafkaPrefixedKeysThrough() {
        Map<String, Object> props = required();
        props.put("kafka.security.protocol", "SSL");

        assertThat(new ScorerConfig(props).streamsProperties()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void shouldRefuseGuaranteeThroughKafkaPrefix() {
        Map<String, Object> props = required();
        props.put("kafka.processing.guarantee", "at_least_once");

        assertThatThrownBy(() -> new ScorerConfig(props)).hasMessageContaining("set processing.guarantee instead");
    }

    @Test
    void shouldRefuseTwoRolesOnOneTopic() {
        Map<String, Object> props = required();
        props.put("topic.predictions", "images");

        assertThatThrownBy(() -> new ScorerConfig(props).topics())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("share one topic");
    }

    private static Map<String, Object> required() {
        Map<String, Object> props = new HashMap<>();
        props.put(ScorerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        props.put(ScorerConfig.REGISTRY_URL_CONFIG, "http://127.0.0.1:8081");
        props.put(ScorerConfig.MODEL_BUNDLE_CONFIG, "/tmp/bundle.zip");
        return props;
    }
}
