package io.imgstream.training.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.training.TrainingWorkerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The labeled set under the worker's own Streams settings: what happens to feedback that does not deserialize. */
class LabeledSetTopologyTest {

    @TempDir
    Path stateDir;

    private final AtomicInteger skipped = new AtomicInteger();
    private final AtomicInteger taken = new AtomicInteger();
    private String feedbackTopic;

    @Test
    void shouldFailTheThreadRatherThanLoseALabelWhileTheRegistryIsUnreachable() throws IOException {
        String registry = "http://127.0.0.1:" + closedPort();
        try (TopologyTestDriver driver = driver(registry)) {
            // The registry's wire format: magic byte 0, then a schema id whose lookup can't reach the registry.
            byte[] wellFormed = {0, 0, 0, 0, 7, 2, 'a'};

            Throwable failure = catchThrowable(() -> feedback(driver).pipeInput("img-1", wellFormed));

            assertThat(failure)
                    .as("the thread fails, to be replaced and read the record again")
                    .isNotNull();
            assertThat(skipped).as("nothing skipped").hasValue(0);
        }
    }

    @Test
    void shouldSkipAndCountFeedbackThatIsNotInTheWireFormat() throws IOException {
        try (TopologyTestDriver driver = driver("http://127.0.0.1:" + closedPort())) {
            feedback(driver).pipeInput("img-1", "no magic byte".getBytes(StandardCharsets.UTF_8));

            KeyValueStore<String, LabelFeedback> labels = driver.getKeyValueStore(LabeledSetTopology.LABELS_STORE);
            assertThat(labels.approximateNumEntries()).isZero();
            assertThat(skipped).hasValue(1);
            assertThat(taken).hasValue(0);
            List<byte[]> letters = driver.createOutputTopic(
                            TopicRole.IMAGES_DLQ.defaultName(),
                            new ByteArrayDeserializer(),
                            new ByteArrayDeserializer())
                    .readValuesToList();
            assertThat(letters).hasSize(1);
            DeadLetter letter = DeadLetter.fromByteBuffer(ByteBuffer.wrap(letters.get(0)));
            assertThat(letter.getSourceTopic()).isEqualTo(feedbackTopic);
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_RECORD);
            assertThat(letter.getImageId()).isEqualTo("img-1");
        }
    }

    private TopologyTestDriver driver(String registry) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(TrainingWorkerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:19092");
        settings.put(TrainingWorkerConfig.REGISTRY_URL_CONFIG, registry);
        settings.put(TrainingWorkerConfig.MODEL_NAME_CONFIG, "pets");
        settings.put(TrainingWorkerConfig.BASE_WEIGHTS_CONFIG, "/models/vgg16.h5");
        TrainingWorkerConfig config = new TrainingWorkerConfig(settings);
        feedbackTopic = config.topics().name(TopicRole.FEEDBACK);
        Properties props = config.streamsProperties(skipped::incrementAndGet, (topic, letter) -> encode(letter));
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        LabelCounter counter = new LabelCounter() {
            @Override
            public void taken() {
                taken.incrementAndGet();
            }

            @Override
            public void refused(String reason) {}
        };
        return new TopologyTestDriver(
                LabeledSetTopology.build(config.topics(), RegistrySerdes.forRegistry(registry), "vgg16", counter),
                props);
    }

    /** Avro's own single-object encoding: a real serializer that needs no registry. */
    private static byte[] encode(DeadLetter letter) {
        try {
            ByteBuffer buffer = letter.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestInputTopic<String, byte[]> feedback(TopologyTestDriver driver) {
        return driver.createInputTopic(feedbackTopic, new StringSerializer(), new ByteArraySerializer());
    }

    /** A port nothing listens on: taken from the system, then freed. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
