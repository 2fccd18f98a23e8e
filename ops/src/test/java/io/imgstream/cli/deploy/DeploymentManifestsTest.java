package io.imgstream.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.imgstream.runtime.metrics.MetricsExporters;
import io.imgstream.runtime.metrics.MetricsSettings;
import io.imgstream.schemas.TopicRole;
import io.imgstream.topology.ScorerConfig;
import io.imgstream.training.TrainingWorkerConfig;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.Test;

/** The Kubernetes manifests under {@code deploy/kubernetes} agree with the code they deploy. */
class DeploymentManifestsTest {

    private static final Path MANIFESTS = Path.of("..", "deploy", "kubernetes");
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void shouldDeclareEveryTopicWithItsCleanupPolicy() throws Exception {
        Map<String, String> policies = new HashMap<>();
        for (JsonNode doc : documents("topics.yaml")) {
            policies.put(
                    doc.at("/metadata/name").asText(),
                    doc.at("/spec/config/cleanup.policy").asText());
        }
        for (TopicRole role : TopicRole.values()) {
            assertThat(policies)
                    .as(role.defaultName())
                    .containsEntry(role.defaultName(), role.compacted() ? "compact" : "delete");
        }
    }

    @Test
    void shouldCarrySettingsTheApplicationsAccept() throws Exception {
        JsonNode config = documents("config.yaml").get(0).get("data");

        ScorerConfig scorer = new ScorerConfig(
                withoutKeyFiles(properties(config.get("scorer.properties").asText())));
        assertThat(scorer.modelName()).isEqualTo("products");
        TrainingWorkerConfig worker = new TrainingWorkerConfig(
                withoutKeyFiles(properties(config.get("worker.properties").asText())));
        assertThat(worker.modelName()).isEqualTo(scorer.modelName());
    }

    /**
     * Every announcement the worker makes is signed and every scorer checks it, with the two halves of one pair as
     * the signing secret mounts them; and scorers read bundles only from the store the worker writes.
     */
    @Test
    void shouldSignAnnouncementsAndHaveScorersCheckThemAndReadOnlyTheWorkersStore() throws Exception {
        JsonNode config = documents("config.yaml").get(0).get("data");
        Map<String, Object> scorer = properties(config.get("scorer.properties").asText());
        Map<String, Object> worker = properties(config.get("worker.properties").asText());

        assertThat(mountedFile(
                        "scorer.yaml", String.valueOf(scorer.get(ScorerConfig.MODEL_SIGNATURE_PUBLIC_KEY_CONFIG))))
                .as("the scorer's public key, mounted")
                .isEqualTo("imgstream-signing/public");
        assertThat(mountedFile(
                        "training-worker.yaml",
                        String.valueOf(worker.get(TrainingWorkerConfig.MODEL_SIGNATURE_PRIVATE_KEY_CONFIG))))
                .as("the worker's private key, mounted")
                .isEqualTo("imgstream-signing/private");
        assertThat(scorer.get(ScorerConfig.MODEL_STORE_CONFIG))
                .as("scorer and worker share the model store")
                .isNotNull()
                .isEqualTo(worker.get(TrainingWorkerConfig.MODEL_STORE_CONFIG));
        assertThat(mountedVolume("scorer.yaml", String.valueOf(scorer.get(ScorerConfig.MODEL_STORE_CONFIG))))
                .isEqualTo(mountedVolume(
                        "training-worker.yaml", String.valueOf(worker.get(TrainingWorkerConfig.MODEL_STORE_CONFIG))))
                .isEqualTo("persistentVolumeClaim model-store");
    }

    @Test
    void shouldPutScorersOnGpuNodesAndRunOneWorker() throws Exception {
        JsonNode scorer = documents("scorer.yaml").get(0);
        assertThat(scorer.at("/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu")
                        .asInt())
                .isEqualTo(1);
        assertThat(scorer.at("/spec/template/spec/nodeSelector").isObject()).isTrue();
        assertThat(scorer.at("/spec/template/spec/containers/0/args/0").asText())
                .isEqualTo("score");
        JsonNode worker = documents("training-worker.yaml").get(0);
        assertThat(worker.at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(worker.at("/spec/template/spec/containers/0/args/0").asText())
                .isEqualTo("train");
    }

    /**
     * The probes and the scrape annotations reach what the applications serve: the paths they answer, on the port
     * they serve, bound to every interface (a loopback-bound endpoint can never pass a kubelet probe).
     */
    @Test
    void shouldProbeAndScrapeTheEndpointsTheApplicationsServe() throws Exception {
        JsonNode config = documents("config.yaml").get(0).get("data");
        MetricsSettings scorer = new ScorerConfig(withoutKeyFiles(
                        properties(config.get("scorer.properties").asText())))
                .metrics();
        MetricsSettings worker = new TrainingWorkerConfig(withoutKeyFiles(
                        properties(config.get("worker.properties").asText())))
                .metrics();

        for (Map.Entry<String, MetricsSettings> app :
                Map.of("scorer.yaml", scorer, "training-worker.yaml", worker).entrySet()) {
            JsonNode pod = documents(app.getKey()).get(0).at("/spec/template");
            JsonNode container = pod.at("/spec/containers/0");
            int port = app.getValue().prometheusPort();
            assertThat(InetAddress.getByName(app.getValue().bindAddress()).isAnyLocalAddress())
                    .as("%s binds every interface", app.getKey())
                    .isTrue();
            assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo(MetricsExporters.READY_PATH);
            assertThat(container.at("/readinessProbe/httpGet/port").asInt()).isEqualTo(port);
            assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo(MetricsExporters.HEALTH_PATH);
            assertThat(container.at("/livenessProbe/httpGet/port").asInt()).isEqualTo(port);
            assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(port);
            assertThat(pod.at("/metadata/annotations/prometheus.io~1scrape").asText())
                    .isEqualTo("true");
            assertThat(pod.at("/metadata/annotations/prometheus.io~1port").asInt())
                    .isEqualTo(port);
        }
    }

    /**
     * Each KafkaConnector names a connector class on the classpath, belongs to the KafkaConnect cluster, passes the
     * connector's own validation, and reads and writes topics the manifests declare.
     */
    @Test
    void shouldRunTheConnectorsWithSettingsTheyAccept() throws Exception {
        Set<String> topics = new HashSet<>();
        documents("topics.yaml")
                .forEach(doc -> topics.add(doc.at("/metadata/name").asText()));
        List<JsonNode> docs = documents("connect.yaml");
        String cluster = docs.stream()
                .filter(doc -> doc.get("kind").asText().equals("KafkaConnect"))
                .findFirst()
                .orElseThrow()
                .at("/metadata/name")
                .asText();
        List<JsonNode> connectors = docs.stream()
                .filter(doc -> doc.get("kind").asText().equals("KafkaConnector"))
                .toList();
        assertThat(connectors).hasSize(2);
        for (JsonNode resource : connectors) {
            assertThat(resource.at("/metadata/labels/strimzi.io~1cluster").asText())
                    .isEqualTo(cluster);
            Connector connector =
                    (Connector) Class.forName(resource.at("/spec/class").asText())
                            .getDeclaredConstructor()
                            .newInstance();
            Map<String, String> config = new HashMap<>();
            resource.at("/spec/config")
                    .fields()
                    .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            assertThat(connector.config().validate(config))
                    .as(resource.at("/metadata/name").asText())
                    .allSatisfy(value ->
                            assertThat(value.errorMessages()).as(value.name()).isEmpty());
            for (String key : List.of("topics", "images.topic", "feedback.topic")) {
                if (config.containsKey(key)) {
                    assertThat(topics).as(key).contains(config.get(key));
                }
            }
        }
    }

    /**
     * KEDA scales the scorer Deployment on the lag of the scorers' own consumer group (their application.id) on the
     * topic they read, up to one replica per partition, logging in with secrets the scorers use or the file defines.
     */
    @Test
    void shouldScaleTheScorersOnTheirConsumerGroupsLagOnImages() throws Exception {
        JsonNode config = documents("config.yaml").get(0).get("data");
        ScorerConfig scorer = new ScorerConfig(
                withoutKeyFiles(properties(config.get("scorer.properties").asText())));
        String images = scorer.topics().name(TopicRole.IMAGES);
        JsonNode deployment = documents("scorer.yaml").get(0);
        List<JsonNode> docs = documents("scorer-autoscaling.yaml");
        JsonNode scaled = ofKind(docs, "ScaledObject").get(0);
        int partitions = documents("topics.yaml").stream()
                .filter(topic -> topic.at("/metadata/name").asText().equals(images))
                .findFirst()
                .orElseThrow()
                .at("/spec/partitions")
                .asInt();

        assertThat(scaled.at("/spec/scaleTargetRef/name").asText())
                .isEqualTo(deployment.at("/metadata/name").asText());
        assertThat(scaled.at("/spec/minReplicaCount").asInt()).isPositive();
        assertThat(scaled.at("/spec/maxReplicaCount").asInt())
                .as("a replica beyond the partitions of %s would get none", images)
                .isBetween(scaled.at("/spec/minReplicaCount").asInt(), partitions);
        JsonNode trigger = scaled.at("/spec/triggers/0");
        assertThat(trigger.get("type").asText()).isEqualTo("kafka");
        assertThat(trigger.at("/metadata/consumerGroup").asText()).isEqualTo(scorer.applicationId());
        assertThat(trigger.at("/metadata/topic").asText()).isEqualTo(images);
        assertThat(trigger.at("/metadata/bootstrapServers").asText()).isEqualTo(scorer.bootstrapServers());
        assertThat(trigger.at("/metadata/lagThreshold").asLong()).isPositive();

        JsonNode auth = ofKind(docs, "TriggerAuthentication").get(0);
        assertThat(auth.at("/metadata/name").asText())
                .isEqualTo(trigger.at("/authenticationRef/name").asText());
        Set<String> secrets = new HashSet<>();
        ofKind(docs, "Secret")
                .forEach(secret -> secrets.add(secret.at("/metadata/name").asText()));
        deployment
                .at("/spec/template/spec/containers/0/env")
                .forEach(env ->
                        secrets.add(env.at("/valueFrom/secretKeyRef/name").asText()));
        deployment
                .at("/spec/template/spec/volumes")
                .forEach(volume -> secrets.add(volume.at("/secret/secretName").asText()));
        List<String> parameters = new ArrayList<>();
        for (JsonNode ref : auth.at("/spec/secretTargetRef")) {
            parameters.add(ref.get("parameter").asText());
            assertThat(secrets)
                    .as(ref.get("parameter").asText())
                    .contains(ref.get("name").asText());
        }
        assertThat(parameters).contains("sasl", "username", "password", "tls", "ca");
    }

    private static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream()
                .filter(doc -> doc.get("kind").asText().equals(kind))
                .toList();
    }

    @Test
    void shouldParseEveryManifest() throws Exception {
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                assertThat(documents(file.getFileName().toString()))
                        .as(file.toString())
                        .isNotEmpty()
                        .allSatisfy(doc -> assertThat(doc.hasNonNull("kind")).isTrue());
            }
        }
    }

    /** {@code <secret>/<key>} of the secret item mounted as {@code file} in {@code manifest}'s pod, or null. */
    private static String mountedFile(String manifest, String file) throws Exception {
        Path path = Path.of(file);
        JsonNode pod = documents(manifest).get(0).at("/spec/template/spec");
        String volume = volumeAt(pod, path.getParent().toString());
        for (JsonNode candidate : pod.get("volumes")) {
            if (candidate.get("name").asText().equals(volume) && candidate.has("secret")) {
                for (JsonNode item : candidate.at("/secret/items")) {
                    if (item.get("path").asText().equals(path.getFileName().toString())) {
                        return candidate.at("/secret/secretName").asText() + "/"
                                + item.get("key").asText();
                    }
                }
            }
        }
        return null;
    }

    /** What is mounted at {@code directory} in {@code manifest}'s pod: the volume's kind and name, or null. */
    private static String mountedVolume(String manifest, String directory) throws Exception {
        JsonNode pod = documents(manifest).get(0).at("/spec/template/spec");
        String volume = volumeAt(pod, directory);
        for (JsonNode candidate : pod.get("volumes")) {
            if (candidate.get("name").asText().equals(volume) && candidate.has("persistentVolumeClaim")) {
                return "persistentVolumeClaim "
                        + candidate.at("/persistentVolumeClaim/claimName").asText();
            }
        }
        return null;
    }

    private static String volumeAt(JsonNode pod, String directory) {
        for (JsonNode mount : pod.at("/containers/0/volumeMounts")) {
            if (mount.get("mountPath").asText().equals(directory)) {
                return mount.get("name").asText();
            }
        }
        return null;
    }

    private static List<JsonNode> documents(String file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> all = YAML.readerFor(JsonNode.class)
                .readValues(MANIFESTS.resolve(file).toFile())) {
            while (all.hasNext()) {
                docs.add(all.next());
            }
        }
        return docs;
    }

    private static Map<String, Object> properties(String text) throws Exception {
        Properties props = new Properties();
        props.load(new StringReader(text));
        Map<String, Object> map = new HashMap<>();
        props.forEach((k, v) -> map.put((String) k, v));
        return map;
    }

    /** The signing keys are mounted secrets, not here; everything else must validate as written. */
    private static Map<String, Object> withoutKeyFiles(Map<String, Object> props) {
        boolean privateKey = props.remove(TrainingWorkerConfig.MODEL_SIGNATURE_PRIVATE_KEY_CONFIG) != null;
        boolean publicKey = props.remove(ScorerConfig.MODEL_SIGNATURE_PUBLIC_KEY_CONFIG) != null;
        assertThat(privateKey || publicKey).as("signatures on").isTrue();
        return props;
    }
}
