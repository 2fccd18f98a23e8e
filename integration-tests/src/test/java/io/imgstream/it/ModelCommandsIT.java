package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.imgstream.cli.ImgstreamCommand;
import io.imgstream.clients.tail.TopicTail;
import io.imgstream.control.ControlTopic;
import io.imgstream.control.ModelVersionKeys;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import io.imgstream.schemas.avro.SplitHint;
import io.imgstream.stack.StackConfig;
import io.imgstream.topology.ScorerApp;
import io.imgstream.topology.ScorerConfig;
import io.imgstream.topology.metrics.ScorerMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's side of the control and feedback topics, against a real broker, registry and scorer:
 * {@code models promote} and {@code models rollback} write what the scorer follows (it adopts v4, then goes back
 * to v3), {@code models promote --shadow} starts shadow scoring, and {@code label} (one image, or a CSV file)
 * writes LabelFeedback keyed by image id.
 */
@Tag("integration")
class ModelCommandsIT {

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @TempDir
    Path temp;

    private CliRun imgstream(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", STACK.bootstrapServers(), "--registry-url", STACK.registryUrl()));
        return CliRun.execute(all);
    }

    @Test
    @Timeout(240)
    void shouldPromoteRollBackAndShadowVersionsThatTheScorerFollows() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        fixture.saveVersion(4, 11);
        String store = temp.resolve("models").toString();
        String control = fixture.topics().name(TopicRole.MODEL_VERSIONS);
        ControlTopic topic =
                new ControlTopic(fixture.clientProperties(), RegistrySerdes.forRegistry(STACK.registryUrl()), control);

        try (ScorerApp scorer = ScorerApp.start(fixture.scorerConfig(temp))) {
            assertThat(scorer.awaitRunning(Duration.ofSeconds(90))).isTrue();
            assertThat(scorer.model().version()).isEqualTo(ScoringFixture.MODEL_VERSION);

            CliRun promote = imgstream("models", "promote", "it-model:4", "--store", store, "--topic", control);
            assertThat(promote.exitCode()).as(promote.err()).isZero();
            assertThat(promote.out()).contains("Announced it-model v4 as the current version");
            await("v4 adopted")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.model().version() == 4);

            CliRun rollback = imgstream("models", "rollback", "it-model", "--store", store, "--topic", control);
            assertThat(rollback.exitCode()).as(rollback.err()).isZero();
            assertThat(rollback.out()).contains("Rolled it-model back from v4 to v3");
            await("back on v3")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.model().version() == 3);

            CliRun shadow =
                    imgstream("models", "promote", "it-model", "4", "--shadow", "--store", store, "--topic", control);
            assertThat(shadow.exitCode()).as(shadow.err()).isZero();
            await("v4 shadowing")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.shadowModel().map(m -> m.version() == 4).orElse(false));
        }

        Map<String, ModelVersion> latest = topic.latestByKey();
        assertThat(latest.get(ModelVersionKeys.current("it-model"))).satisfies(v -> {
            assertThat(v.getVersion()).isEqualTo(3);
            assertThat(v.getStatus()).isEqualTo(ModelStatus.PROMOTED);
        });
        assertThat(latest.get(ModelVersionKeys.history("it-model", 4)).getStatus())
                .isEqualTo(ModelStatus.SHADOW);
        assertThat(latest.get(ModelVersionKeys.shadow("it-model")).getVersion()).isEqualTo(4);

        CliRun missing = imgstream("models", "promote", "it-model:9", "--store", store, "--topic", control);
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("No bundle it-model v9 in");
    }

    @Test
    @Timeout(240)
    void shouldHaveAScorerWithAPublicKeyAdoptOnlySignedVersions() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        fixture.saveVersion(4, 11);
        fixture.saveVersion(5, 13);
        fixture.saveVersion(6, 17);
        String store = temp.resolve("models").toString();
        String control = fixture.topics().name(TopicRole.MODEL_VERSIONS);
        // Where 'imgstream stack up --work-dir <temp>/stack' keeps its pair.
        Path keys = temp.resolve("stack").resolve(StackConfig.SIGNING_KEYS_DIR);
        assertThat(ImgstreamCommand.newCommandLine().execute("models", "keygen", "--out", keys.toString()))
                .isZero();
        Map<String, Object> props = new HashMap<>(fixture.scorerConfig(temp).originals());
        props.put(
                ScorerConfig.MODEL_SIGNATURE_PUBLIC_KEY_CONFIG,
                keys.resolve("imgstream-signing.pub.pem").toString());

        try (ScorerApp scorer = ScorerApp.start(new ScorerConfig(props))) {
            assertThat(scorer.awaitRunning(Duration.ofSeconds(90))).isTrue();
            CliRun unsigned = imgstream(
                    "models",
                    "promote",
                    "it-model:4",
                    "--store",
                    store,
                    "--topic",
                    control,
                    "--work-dir",
                    temp.resolve("no-stack").toString());
            assertThat(unsigned.exitCode()).as(unsigned.err()).isZero();
            assertThat(unsigned.out()).contains("Not signed");
            await("the unsigned v4 refused")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.metrics()
                                    .registry()
                                    .meter(ScorerMetrics.MODEL_SWAP_REFUSALS)
                                    .getCount()
                            == 1);
            assertThat(scorer.model().version()).isEqualTo(ScoringFixture.MODEL_VERSION);

            CliRun signed = imgstream(
                    "models",
                    "promote",
                    "it-model:5",
                    "--store",
                    store,
                    "--topic",
                    control,
                    "--signing-key",
                    keys.resolve("imgstream-signing.pem").toString());
            assertThat(signed.exitCode()).as(signed.err()).isZero();
            await("the signed v5 adopted")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.model().version() == 5);

            CliRun stackSigned = imgstream(
                    "models",
                    "promote",
                    "it-model:6",
                    "--store",
                    store,
                    "--topic",
                    control,
                    "--work-dir",
                    temp.resolve("stack").toString());
            assertThat(stackSigned.exitCode()).as(stackSigned.err()).isZero();
            assertThat(stackSigned.out()).contains("Signed with " + keys.resolve("imgstream-signing.pem"));
            await("v6, signed with the stack's key by default, adopted")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> scorer.model().version() == 6);
        }
    }

    @Test
    @Timeout(120)
    void shouldSendLabelsForOneImageAndFromACsvFile() throws Exception {
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        String feedback = fixture.topics().name(TopicRole.FEEDBACK);
        Path csv = Files.writeString(temp.resolve("labels.csv"), """
                image_id,label,split,confidence
                img-2,Sandal,holdout,0.9
                "img-3","Shirt, long-sleeved",train,
                """);

        CliRun one = imgstream("label", "img-1", "Bag", "--labeler", "ann", "--topic", feedback);
        CliRun many = imgstream("label", "--csv", csv.toString(), "--labeler", "bob", "--topic", feedback);
        CliRun bad = imgstream("label", "img-4", "Bag", "--split", "sometimes", "--topic", feedback);

        assertThat(one.exitCode()).as(one.err()).isZero();
        assertThat(many.exitCode()).as(many.err()).isZero();
        assertThat(many.out()).contains("Sent 2 label(s)");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("'sometimes' is not a split");
        List<LabelFeedback> labels = new ArrayList<>();
        try (TopicTail tail = new TopicTail(
                fixture.clientProperties(), RegistrySerdes.forRegistry(STACK.registryUrl()), List.of(feedback), true)) {
            tail.follow(3, Duration.ofSeconds(10), record -> labels.add((LabelFeedback) record.value()), problem -> {});
        }
        assertThat(labels)
                .extracting(l -> l.getImageId().toString() + "=" + l.getLabel() + "@" + l.getLabeler())
                .containsExactlyInAnyOrder("img-1=Bag@ann", "img-2=Sandal@bob", "img-3=Shirt, long-sleeved@bob");
        assertThat(labels)
                .filteredOn(l -> l.getImageId().toString().equals("img-2"))
                .singleElement()
                .satisfies(l -> {
                    assertThat(l.getSplit()).isEqualTo(SplitHint.HOLDOUT);
                    assertThat(l.getConfidence()).isEqualTo(0.9f);
                });
    }
}
