package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.clients.tail.TopicTail;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.demo.DemoModel;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.ScorerApp;
import io.imgstream.topology.ScorerConfig;
import io.imgstream.topology.metrics.ScorerMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live model swap on a real broker and registry: a PROMOTED version on the control topic is adopted between
 * batches, a tampered announcement is refused while the current model stays, a SHADOW version scores beside
 * the primary into the shadow topic while the scorer's agreement meters follow it live, and an instance started
 * later begins on the current version. Every image keeps exactly one prediction throughout.
 */
@Tag("integration")
class ModelSwapIT {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @TempDir
    Path temp;

    @Test
    @Timeout(300)
    void shouldAdoptPromotedVersionsRefuseTamperedOnesAndShadowScoreCandidates() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<Path> images = DemoModel.extractDemoImages(temp.resolve("images"));
        Path root = images.get(0).getParent();
        String controlTopic = fixture.topics().name(TopicRole.MODEL_VERSIONS);
        Map<String, List<Prediction>> predictions = new ConcurrentHashMap<>();
        List<Prediction> shadow = new CopyOnWriteArrayList<>();

        try (ScorerApp scorer = ScorerApp.start(fixture.scorerConfig(root));
                ImagePublisher publisher = new ImagePublisher(
                        fixture.clientProperties(), serdes, fixture.topics().name(TopicRole.IMAGES));
                KafkaProducer<String, SpecificRecord> control = new KafkaProducer<>(
                        fixture.clientProperties(), new StringSerializer(), serdes.valueSerializer());
                TopicTail results = new TopicTail(
                        fixture.clientProperties(),
                        serdes,
                        List.of(
                                fixture.topics().name(TopicRole.PREDICTIONS),
                                fixture.topics().name(TopicRole.PREDICTIONS_SHADOW)),
                        true)) {
            assertThat(scorer.awaitRunning(Duration.ofSeconds(90)))
                    .as("scorer state %s", scorer.state())
                    .isTrue();
            assertThat(scorer.model().version()).isEqualTo(ScoringFixture.MODEL_VERSION);

            List<String> first = DemoImageIds.publishAll(publisher, images.subList(0, 5), 5, "before");
            awaitPredictions(results, predictions, shadow, first);
            assertThat(versionsOf(predictions, first)).containsOnly(ScoringFixture.MODEL_VERSION);

            StoredBundle v4 = fixture.saveVersion(4, 11);
            control.send(new ProducerRecord<>(
                            controlTopic,
                            ModelVersionKeys.current(ScoringFixture.MODEL_NAME),
                            ScoringFixture.announce(v4, ModelStatus.PROMOTED, v4.sha256())))
                    .get();
            List<String> during = DemoImageIds.publishAll(publisher, images.subList(5, 10), 5, "during");
            await("v4 adopted")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.model().version() == 4);
            List<String> after = DemoImageIds.publishAll(publisher, images.subList(10, 15), 5, "after");
            awaitPredictions(results, predictions, shadow, during);
            awaitPredictions(results, predictions, shadow, after);
            assertThat(versionsOf(predictions, after)).containsOnly(4);

            StoredBundle v5 = fixture.saveVersion(5, 13);
            control.send(new ProducerRecord<>(
                            controlTopic,
                            ModelVersionKeys.current(ScoringFixture.MODEL_NAME),
                            ScoringFixture.announce(v5, ModelStatus.PROMOTED, "0".repeat(64))))
                    .get();
            await("tampered v5 refused")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.metrics()
                                    .registry()
                                    .meter(ScorerMetrics.MODEL_SWAP_REFUSALS)
                                    .getCount()
                            == 1);
            StoredBundle v6 = fixture.saveVersion(6, 17);
            control.send(new ProducerRecord<>(
                            controlTopic,
                            ModelVersionKeys.shadow(ScoringFixture.MODEL_NAME),
                            ScoringFixture.announce(v6, ModelStatus.SHADOW, v6.sha256())))
                    .get();
            await("v6 shadowing")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.shadowModel().map(m -> m.version() == 6).orElse(false));
            List<String> shadowed = DemoImageIds.publishAll(publisher, images.subList(15, 20), 5, "shadowed");
            awaitPredictions(results, predictions, shadow, shadowed);
            await("shadow predictions").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                results.follow(
                        Long.MAX_VALUE,
                        Duration.ofMillis(300),
                        r -> collect(r.value(), predictions, shadow),
                        problem -> {});
                assertThat(shadow).extracting(p -> p.getImageId().toString()).containsAll(shadowed);
            });

            assertThat(scorer.model().version())
                    .as("the refused v5 left v4 in place")
                    .isEqualTo(4);
            assertThat(versionsOf(predictions, shadowed)).containsOnly(4);
            assertThat(shadow).extracting(Prediction::getModelVersion).containsOnly(6);
            assertLiveShadowAgreement(scorer.metrics(), predictions, shadow);
            assertThat(predictions.values())
                    .as("one prediction per image")
                    .allSatisfy(list -> assertThat(list).hasSize(1));

            Map<String, Object> lateProps =
                    new HashMap<>(fixture.scorerConfig(root).originals());
            lateProps.put(ScorerConfig.APPLICATION_ID_CONFIG, "late-" + System.nanoTime());
            lateProps.put(ScorerConfig.METRICS_PROMETHEUS_PORT_CONFIG, -1);
            lateProps.put(ScorerConfig.METRICS_JMX_ENABLED_CONFIG, false);
            try (ScorerApp late = ScorerApp.start(new ScorerConfig(lateProps))) {
                assertThat(late.model().version())
                        .as("a later instance starts on the current version")
                        .isEqualTo(4);
                assertThat(late.shadowModel())
                        .hasValueSatisfying(m -> assertThat(m.version()).isEqualTo(6));
            }
        }
    }

    /**
     * The scorer's live agreement meters say, image for image, what comparing the two topics says: agreements where
     * both models chose the same class, disagreements counted by the primary's class otherwise, no failures.
     */
    private static void assertLiveShadowAgreement(
            ScorerMetrics metrics, Map<String, List<Prediction>> predictions, List<Prediction> shadow) {
        long agreements = 0;
        Map<String, Long> disagreementsByClass = new HashMap<>();
        for (Prediction shadowed : shadow) {
            String primaryClass =
                    topClass(predictions.get(shadowed.getImageId().toString()).get(0));
            if (primaryClass.equals(topClass(shadowed))) {
                agreements++;
            } else {
                disagreementsByClass.merge(primaryClass, 1L, Long::sum);
            }
        }
        long expectedAgreements = agreements;
        long expectedDisagreements = disagreementsByClass.values().stream()
                .mapToLong(Long::longValue)
                .sum();
        var registry = metrics.registry();
        await("live shadow agreement").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(registry.meter(ScorerMetrics.SHADOW_AGREEMENTS).getCount())
                    .isEqualTo(expectedAgreements);
            assertThat(registry.meter(ScorerMetrics.SHADOW_DISAGREEMENTS).getCount())
                    .isEqualTo(expectedDisagreements);
        });
        disagreementsByClass.forEach(
                (label, count) -> assertThat(registry.meter(ScorerMetrics.SHADOW_DISAGREEMENTS + "." + label)
                                .getCount())
                        .as("disagreements where the primary said %s", label)
                        .isEqualTo(count));
        assertThat(registry.meter(ScorerMetrics.SHADOW_FAILURES).getCount()).isZero();
    }

    private static String topClass(Prediction prediction) {
        return prediction.getTopK().get(0).getLabel().toString();
    }

    private static void awaitPredictions(
            TopicTail results, Map<String, List<Prediction>> predictions, List<Prediction> shadow, List<String> ids) {
        await("predictions for " + ids).atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            results.follow(
                    Long.MAX_VALUE, Duration.ofMillis(300), r -> collect(r.value(), predictions, shadow), problem -> {
                        throw new AssertionError("undecodable output record " + problem);
                    });
            assertThat(predictions.keySet()).containsAll(ids);
        });
    }

    private static void collect(
            SpecificRecord value, Map<String, List<Prediction>> predictions, List<Prediction> shadow) {
        Prediction prediction = (Prediction) value;
        if (prediction.getModelVersion() == 6) {
            shadow.add(prediction);
        } else {
            predictions
                    .computeIfAbsent(prediction.getImageId().toString(), k -> new CopyOnWriteArrayList<>())
                    .add(prediction);
        }
    }

    private static List<Integer> versionsOf(Map<String, List<Prediction>> predictions, List<String> ids) {
        return ids.stream()
                .flatMap(id -> predictions.get(id).stream())
                .map(Prediction::getModelVersion)
                .toList();
    }
}
