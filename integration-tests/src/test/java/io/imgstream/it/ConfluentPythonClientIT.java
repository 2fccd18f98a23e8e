package io.imgstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imgstream.demo.DemoModel;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.topology.ScorerApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client in another language, Confluent's own Python library speaking to the registry's
 * Confluent-compatible API, publishes an {@code ImageRef} and reads back the scorer's {@code Prediction}:
 * the wire format is the Confluent one in both directions.
 *
 * <p>Needs Debian's {@code python3-confluent-kafka}, {@code python3-avro} and {@code python3-requests}
 * ({@code .ci/run} installs them); skipped where they are missing.
 */
@Tag("integration")
class ConfluentPythonClientIT {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path CLIENT = Path.of("src", "test", "python", "confluent_client.py");

    @RegisterExtension
    static final LocalStackExtension STACK = new LocalStackExtension();

    @TempDir
    Path temp;

    @Test
    @Timeout(240)
    void shouldScoreImageRefFromPythonAndServePredictionToPython() throws Exception {
        assumeThat(pythonHasConfluentKafka())
                .as("python3-confluent-kafka and python3-avro installed")
                .isTrue();
        ScoringFixture fixture = ScoringFixture.create(STACK.bootstrapServers(), STACK.registryUrl(), temp);
        Path image = DemoModel.extractDemoImages(temp.resolve("images")).get(0);
        Path schema = Files.writeString(
                temp.resolve("ImageRef.avsc"), ImageRef.getClassSchema().toString());
        String ccompat = RegistrySerdes.ccompatApiUrl(STACK.registryUrl());

        try (ScorerApp scorer = ScorerApp.start(fixture.scorerConfig(image.getParent()))) {
            assertThat(scorer.awaitRunning(Duration.ofSeconds(90)))
                    .as("scorer state %s", scorer.state())
                    .isTrue();
            python(
                    "produce",
                    STACK.bootstrapServers(),
                    ccompat,
                    fixture.topics().name(TopicRole.IMAGES),
                    schema.toString(),
                    "from-python",
                    image.toUri().toString());
            List<String> lines = python(
                    "consume",
                    STACK.bootstrapServers(),
                    ccompat,
                    fixture.topics().name(TopicRole.PREDICTIONS),
                    "1",
                    "120");

            assertThat(lines).hasSize(1);
            JsonNode prediction = new ObjectMapper().readTree(lines.get(0));
            assertThat(prediction.get("imageId").asText()).isEqualTo("from-python");
            assertThat(prediction.get("imageUri").asText())
                    .isEqualTo(image.toUri().toString());
            assertThat(prediction.get("modelName").asText()).isEqualTo(ScoringFixture.MODEL_NAME);
            assertThat(prediction.get("modelVersion").asInt()).isEqualTo(ScoringFixture.MODEL_VERSION);
            assertThat(prediction.get("probabilities"))
                    .hasSize(DemoModel.classes().size());
        }
    }

    private static boolean pythonHasConfluentKafka() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        Process check = new ProcessBuilder(
                        PYTHON.toString(),
                        "-c",
                        "from confluent_kafka.avro.serializer.message_serializer import MessageSerializer")
                .redirectErrorStream(true)
                .start();
        check.getInputStream().readAllBytes();
        return check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0;
    }

    /** Runs the Python client and returns its output lines; fails with its output if it exits non-zero. */
    private static List<String> python(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), CLIENT.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(180, TimeUnit.SECONDS))
                .as("python %s finished", args[0])
                .isTrue();
        assertThat(process.exitValue())
                .as("python %s exit code; output:%n%s", args[0], output)
                .isZero();
        return output.lines().filter(line -> !line.isBlank()).toList();
    }
}
