package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.cli.CliException;
import io.imgstream.demo.DemoModel;
import io.imgstream.schemas.ImageRefs;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.stack.FreePorts;
import io.imgstream.topology.ScorerConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka security settings passing through to every client, against a broker listener that requires TLS and
 * SASL/PLAIN ({@code SASL_SSL}, the local stack's {@code --secure-port}): the CLI publishes and an
 * {@code imgstream score} process scores through it with the settings of one client properties file
 * ({@code --kafka-config}), which trusts the broker's self-signed certificate; a wrong password and a client
 * without security settings are refused with a sentence that says what to check.
 */
@Tag("integration")
class SecuredBrokerIT {

    @RegisterExtension
    static final LocalStackExtension STACK =
            new LocalStackExtension(config -> config.withSecurePort(FreePorts.pick(1)[0]));

    @TempDir
    Path temp;

    @Test
    @Timeout(300)
    void shouldPublishAndScoreThroughTheTlsAndSaslListener() throws Exception {
        String secure = STACK.running().secureBootstrapServers().orElseThrow();
        Path clientConfig = STACK.running().secureClientConfig();
        assertThat(Files.readString(clientConfig)).contains("security.protocol=SASL_SSL", "ssl.truststore.type=PEM");
        // Topics are created over the plaintext listener; everything after goes through TLS and SASL.
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        List<Path> files = DemoModel.extractDemoImages(temp.resolve("images"));
        Path root = files.get(0).getParent();
        Path scorerConfig = CliProcess.writeConfig(fixture, root, temp.resolve("scorer.properties"), Map.of());

        CliProcess scorer = CliProcess.start(
                "score",
                scorerConfig,
                secure,
                STACK.registryUrl(),
                temp,
                "scorer",
                temp.resolve("state"),
                List.of("--kafka-config", clientConfig.toString()));
        try {
            scorer.awaitScoring();
            CliRun topics = imgstream(
                    "topics", "create", "--bootstrap-servers", secure, "--kafka-config", clientConfig.toString());
            assertThat(topics.exitCode()).as(topics.err()).isZero();
            assertThat(topics.out()).contains("0 topics created, 9 already there on " + secure);
            CliRun published = imgstream(
                    "publish",
                    root.toString(),
                    "--topic",
                    fixture.topics().name(TopicRole.IMAGES),
                    "--bootstrap-servers",
                    secure,
                    "--kafka-config",
                    clientConfig.toString());
            assertThat(published.exitCode()).as(published.err()).isZero();

            List<String> ids = new ArrayList<>();
            for (Path file : files) {
                ids.add(ImageRefs.idOf(file));
            }
            Properties secureClient = clientProperties(secure, clientConfig);
            RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
            Map<String, Integer> counts = new HashMap<>();
            await("a prediction for every image, read over TLS and SASL")
                    .atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> {
                        counts.clear();
                        TopicRecords.readToEnd(
                                secureClient,
                                serdes,
                                fixture.topics().name(TopicRole.PREDICTIONS),
                                "read_committed",
                                (String key, Prediction prediction) ->
                                        counts.merge(prediction.getImageId().toString(), 1, Integer::sum));
                        assertThat(counts.keySet()).containsAll(ids);
                    });
            assertThat(counts)
                    .hasSize(ids.size())
                    .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1));
        } finally {
            scorer.stop();
        }
    }

    @Test
    @Timeout(120)
    void shouldRefuseAWrongPasswordAndAClientWithoutSecuritySettingsWithAClearError() throws Exception {
        String secure = STACK.running().secureBootstrapServers().orElseThrow();
        String settings = Files.readString(STACK.running().secureClientConfig());
        Path wrong = Files.writeString(
                temp.resolve("wrong.properties"),
                settings.replaceFirst("password=\"[^\"]*\"", "password=\"not-the-password\""));

        CliRun refused = imgstream(
                "score",
                "--model-name",
                "any",
                "--bootstrap-servers",
                secure,
                "--kafka-config",
                wrong.toString(),
                "--allowed-root",
                temp.toString(),
                "--set",
                ScorerConfig.STATE_DIR_CONFIG + "=" + temp.resolve("state"));
        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(CliException.BROKER_UNREACHABLE);
        assertThat(refused.err())
                .contains("Kafka at " + secure + " refused this client's credentials", "--kafka-config");

        CliRun plain = imgstream("tail", "predictions", "--bootstrap-servers", secure, "--max-records", "1");
        assertThat(plain.exitCode()).as(plain.err()).isEqualTo(CliException.BROKER_UNREACHABLE);
        assertThat(plain.err()).contains("Couldn't connect to Kafka at " + secure);
    }

    private static CliRun imgstream(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--registry-url", STACK.registryUrl()));
        return CliRun.execute(all);
    }

    private static Properties clientProperties(String bootstrapServers, Path clientConfig) throws Exception {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(clientConfig)) {
            props.load(reader);
        }
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }
}
