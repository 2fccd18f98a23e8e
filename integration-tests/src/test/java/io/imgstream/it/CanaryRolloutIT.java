package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.cli.ImgstreamCommand;
import io.imgstream.clients.publish.ImagePublisher;
import io.imgstream.clients.tail.TopicTail;
import io.imgstream.demo.DemoModel;
import io.imgstream.schemas.ImageRefs;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.schemas.avro.PredictionArm;
import io.imgstream.stack.StackConfig;
import io.imgstream.topology.ScorerApp;
import io.imgstream.topology.ScorerConfig;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.swap.CanaryShare;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A canary rollout on a real broker and registry, driven by the CLI with signed announcements to a scorer that
 * checks signatures: {@code models promote --canary 30} makes the candidate score its share of the images (arm
 * CANARY), the rest staying with the current version (arm CURRENT), each image id always in the same arm; a wider
 * share keeps the canary's images and loads nothing; {@code models promote} without {@code --canary} ends the canary
 * and every image is the new version's. Every image record gets exactly one prediction throughout.
 */
@Tag("integration")
class CanaryRolloutIT {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    private static final int CANDIDATE = 4;

    @TempDir
    Path temp;

    private final Map<String, List<Prediction>> predictions = new ConcurrentHashMap<>();
    /** Image records published, by image id. */
    private final Map<String, Integer> published = new ConcurrentHashMap<>();

    @Test
    @Timeout(300)
    void shouldScoreTheCanarysShareWithTheCandidateUntilItIsPromoted() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        fixture.saveVersion(CANDIDATE, 11);
        RegistrySerdes serdes = RegistrySerdes.forRegistry(STACK.registryUrl());
        List<Path> images = DemoModel.extractDemoImages(temp.resolve("images"));
        Path root = images.get(0).getParent();
        Path keys = temp.resolve("stack").resolve(StackConfig.SIGNING_KEYS_DIR);
        assertThat(ImgstreamCommand.newCommandLine().execute("models", "keygen", "--out", keys.toString()))
                .isZero();
        Map<String, Object> props = new HashMap<>(fixture.scorerConfig(root).originals());
        props.put(
                ScorerConfig.MODEL_SIGNATURE_PUBLIC_KEY_CONFIG,
                keys.resolve("imgstream-signing.pub.pem").toString());
        List<String> cli = List.of(
                "--store",
                temp.resolve("models").toString(),
                "--topic",
                fixture.topics().name(TopicRole.MODEL_VERSIONS),
                "--signing-key",
                keys.resolve("imgstream-signing.pem").toString());

        try (ScorerApp scorer = ScorerApp.start(new ScorerConfig(props));
                ImagePublisher publisher = new ImagePublisher(
                        fixture.clientProperties(), serdes, fixture.topics().name(TopicRole.IMAGES));
                TopicTail results = new TopicTail(
                        fixture.clientProperties(),
                        serdes,
                        List.of(fixture.topics().name(TopicRole.PREDICTIONS)),
                        true)) {
            assertThat(scorer.awaitRunning(Duration.ofSeconds(90)))
                    .as("scorer state %s", scorer.state())
                    .isTrue();
            ScorerMetrics metrics = scorer.metrics();

            CliRun canary = imgstream(cli, "models", "promote", "it-model:4", "--canary", "30");
            assertThat(canary.exitCode()).as(canary.err()).isZero();
            assertThat(canary.out()).contains("Announced it-model v4 as the canary on 30% of the images");
            await("v4 canary")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.canaryModel()
                            .map(m -> m.version() == CANDIDATE)
                            .orElse(false));
            long swaps = metrics.registry().meter(ScorerMetrics.MODEL_SWAPS).getCount();
            CliRun list = imgstream(cli.subList(0, 4), "models", "list", "--status");
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out()).containsPattern("it-model +v4 .* canary 30% ");
            CliRun show = imgstream(cli.subList(0, 4), "models", "show", "it-model:4", "--status");
            assertThat(show.exitCode()).as(show.err()).isZero();
            assertThat(show.out()).contains("Status:        canary 30%");

            List<String> first = publish(publisher, images, ids("c", 120));
            awaitPredictions(results, first, 1);
            assertThat(first).allSatisfy(id -> assertArm(id, 0, CanaryShare.contains(id, 30)));
            long canaryImages = first.stream()
                    .filter(id -> armOf(id, 0) == PredictionArm.CANARY)
                    .count();
            assertThat(canaryImages).as("about 30%% of %d images", first.size()).isBetween(20L, 52L);
            assertThat(metrics.registry().meter(ScorerMetrics.CANARY_AGREEMENTS).getCount()
                            + metrics.registry()
                                    .meter(ScorerMetrics.CANARY_DISAGREEMENTS)
                                    .getCount())
                    .as("every canary image compared with the current model")
                    .isEqualTo(canaryImages);
            assertThat(metrics.registry()
                            .meter(ScorerMetrics.PREDICTIONS + ".CANARY")
                            .getCount())
                    .isEqualTo(canaryImages);
            assertThat(metrics.registry().meter(ScorerMetrics.CANARY_FAILURES).getCount())
                    .isZero();

            List<String> again = publish(publisher, images, ids("c", 40));
            awaitPredictions(results, again, 2);
            assertThat(again)
                    .as("the same image, the same arm")
                    .allSatisfy(id -> assertThat(armOf(id, 1)).isEqualTo(armOf(id, 0)));

            CliRun wider = imgstream(cli, "models", "promote", "it-model:4", "--canary", "60");
            assertThat(wider.exitCode()).as(wider.err()).isZero();
            assertThat(wider.out()).contains("Its share was 30%; scorers keep the model they loaded.");
            await("60%")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> metrics.registry()
                            .getGauges()
                            .get(ScorerMetrics.CANARY_PERCENT)
                            .getValue()
                            .equals(60));
            assertThat(metrics.registry().meter(ScorerMetrics.MODEL_SWAPS).getCount())
                    .as("a new share loads nothing")
                    .isEqualTo(swaps);
            awaitPredictions(results, publish(publisher, images, again), 3);
            assertThat(again).allSatisfy(id -> {
                assertArm(id, 2, CanaryShare.contains(id, 60));
                if (armOf(id, 0) == PredictionArm.CANARY) {
                    assertThat(armOf(id, 2)).as("%s stays in the canary", id).isEqualTo(PredictionArm.CANARY);
                }
            });

            CliRun promote = imgstream(cli, "models", "promote", "it-model:4");
            assertThat(promote.exitCode()).as(promote.err()).isZero();
            assertThat(promote.out())
                    .contains("The canary it-model v4 (60% of the images) ends: it is the current version now");
            await("v4 current, canary ended")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.model().version() == CANDIDATE
                            && scorer.canaryModel().isEmpty());
            List<String> after = publish(publisher, images, ids("d", 30));
            awaitPredictions(results, after, 1);
            assertThat(after).allSatisfy(id -> {
                assertThat(armOf(id, 0)).isEqualTo(PredictionArm.CURRENT);
                assertThat(predictions.get(id).get(0).getModelVersion()).isEqualTo(CANDIDATE);
            });
        }
        assertThat(predictions.keySet()).isEqualTo(published.keySet());
        assertThat(published)
                .as("one prediction per image record")
                .allSatisfy((id, records) -> assertThat(predictions.get(id)).hasSize(records));
    }

    private CliRun imgstream(List<String> options, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(options);
        all.addAll(List.of("--bootstrap-servers", STACK.bootstrapServers(), "--registry-url", STACK.registryUrl()));
        return CliRun.execute(all);
    }

    private static List<String> ids(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }

    /** Publishes one image record per id, the demo images in turn as their files. */
    private List<String> publish(ImagePublisher publisher, List<Path> files, List<String> ids) throws Exception {
        for (int i = 0; i < ids.size(); i++) {
            ImageRef ref = ImageRefs.of(files.get(i % files.size()), false, "canary-it", Instant.now());
            publisher
                    .publish(ImageRef.newBuilder(ref).setId(ids.get(i)).build())
                    .get();
            published.merge(ids.get(i), 1, Integer::sum);
        }
        return ids;
    }

    /** Waits until each of {@code ids} has {@code count} predictions. */
    private void awaitPredictions(TopicTail results, List<String> ids, int count) {
        await("predictions for " + ids.size() + " images")
                .atMost(Duration.ofSeconds(120))
                .untilAsserted(() -> {
                    results.follow(
                            Long.MAX_VALUE,
                            Duration.ofMillis(300),
                            r -> {
                                Prediction prediction = (Prediction) r.value();
                                predictions
                                        .computeIfAbsent(
                                                prediction.getImageId().toString(), k -> new CopyOnWriteArrayList<>())
                                        .add(prediction);
                            },
                            problem -> {
                                throw new AssertionError("undecodable output record " + problem);
                            });
                    assertThat(ids)
                            .allSatisfy(id -> assertThat(predictions.getOrDefault(id, List.of()))
                                    .hasSizeGreaterThanOrEqualTo(count));
                });
    }

    private PredictionArm armOf(String id, int round) {
        return predictions.get(id).get(round).getArm();
    }

    private void assertArm(String id, int round, boolean inCanary) {
        Prediction prediction = predictions.get(id).get(round);
        assertThat(prediction.getArm()).as(id).isEqualTo(inCanary ? PredictionArm.CANARY : PredictionArm.CURRENT);
        assertThat(prediction.getModelVersion())
                .as("%s is scored by its arm's version", id)
                .isEqualTo(inCanary ? CANDIDATE : ScoringFixture.MODEL_VERSION);
    }
}
