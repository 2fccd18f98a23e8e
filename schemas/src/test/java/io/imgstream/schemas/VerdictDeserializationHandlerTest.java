package io.imgstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchException;

import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.LabelFeedback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Result;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** A record is skipped only when it is at fault; an unreachable registry fails the thread, however long. */
class VerdictDeserializationHandlerTest {

    private static final int MAX_ATTEMPTS = 3;

    private final AtomicInteger skipped = new AtomicInteger();
    private final VerdictDeserializationHandler handler = handler(new RecordRetries(MAX_ATTEMPTS, Duration.ZERO));

    @Test
    void shouldFailRatherThanSkipAWellFormedRecordWhileTheRegistryIsUnreachable() throws IOException {
        Deserializer<LabelFeedback> feedback =
                RegistrySerdes.forRegistry("http://127.0.0.1:" + closedPort()).valueDeserializer(LabelFeedback.class);
        // The registry's wire format: magic byte 0, schema id 7, then Avro the lookup never gets to.
        byte[] value = {0, 0, 0, 0, 7, 2, 'a'};
        Exception failure = catchException(() -> feedback.deserialize("feedback", new RecordHeaders(), value));
        assertThat(FailureVerdict.of(failure)).as("the lookup fails").isEqualTo(FailureVerdict.INFRASTRUCTURE);

        // Many more attempts than any budget: an outage is waited out, never turned into a skip.
        for (int attempt = 1; attempt <= 3 * MAX_ATTEMPTS; attempt++) {
            assertThat(handler.handleError(context(5), record(value), failure).result())
                    .as("attempt %d", attempt)
                    .isEqualTo(Result.FAIL);
        }
        assertThat(skipped).hasValue(0);
    }

    @Test
    void shouldSkipAndCountGarbageBytesAtOnce() {
        Deserializer<LabelFeedback> feedback =
                RegistrySerdes.forRegistry("http://127.0.0.1:1").valueDeserializer(LabelFeedback.class);
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
        Exception failure = catchException(() -> feedback.deserialize("feedback", new RecordHeaders(), garbage));
        assertThat(failure).as("no magic byte: refused before any lookup").isNotNull();

        assertThat(handler.handleError(context(6), record(garbage), failure).result())
                .isEqualTo(Result.RESUME);
        assertThat(skipped).hasValue(1);
    }

    @Test
    void shouldWriteASkippedRecordAsADeadLetterWithItsBytesAndWhereItCameFrom() throws IOException {
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
        VerdictDeserializationHandler withDeadLetters = handler(
                new RecordRetries(MAX_ATTEMPTS, Duration.ZERO),
                Optional.of(new DeadLetterTopic("images-dlq", (topic, letter) -> encode(letter))));

        DeserializationExceptionHandler.Response response = withDeadLetters.handleError(
                context(5), record(garbage), new SerializationException("Unknown magic byte!"));

        assertThat(response.result()).isEqualTo(Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(1);
        ProducerRecord<byte[], byte[]> sent = response.deadLetterQueueRecords().get(0);
        assertThat(sent.topic()).isEqualTo("images-dlq");
        DeadLetter letter = DeadLetter.fromByteBuffer(ByteBuffer.wrap(sent.value()));
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_RECORD);
        assertThat(letter.getStage()).isEqualTo(DeadLetterStage.DESERIALIZE);
        assertThat(letter.getSourceTopic()).isEqualTo("feedback");
        assertThat(letter.getSourceOffset()).isEqualTo(5);
        assertThat(letter.getImageId()).isEqualTo("img-1");
        assertThat(letter.getOriginalValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(letter.getMessage()).contains("Unknown magic byte!");
        assertThat(skipped).hasValue(1);
    }

    @Test
    void shouldFailRatherThanSkipWhileTheDeadLetterCanNotReachTheRegistry() {
        VerdictDeserializationHandler withDeadLetters = handler(
                new RecordRetries(MAX_ATTEMPTS, Duration.ZERO),
                Optional.of(new DeadLetterTopic("images-dlq", (topic, letter) -> {
                    throw new SerializationException(
                            "Error registering the schema", new ConnectException("Connection refused"));
                })));

        assertThat(withDeadLetters
                        .handleError(
                                context(5), record(new byte[] {1}), new SerializationException("Unknown magic byte!"))
                        .result())
                .isEqualTo(Result.FAIL);
        assertThat(skipped).hasValue(0);
    }

    @Test
    void shouldSkipWithALogLineWhenTheDeadLetterCanNeverBeWritten() {
        VerdictDeserializationHandler withDeadLetters = handler(
                new RecordRetries(MAX_ATTEMPTS, Duration.ZERO),
                Optional.of(new DeadLetterTopic("images-dlq", (topic, letter) -> {
                    throw new SerializationException("schema being registered is incompatible");
                })));

        DeserializationExceptionHandler.Response response = withDeadLetters.handleError(
                context(5), record(new byte[] {1}), new SerializationException("Unknown magic byte!"));

        assertThat(response.result()).as("nothing loops forever").isEqualTo(Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
        assertThat(skipped).hasValue(1);
    }

    @Test
    void shouldRetryAnUncertainFailureWithinTheBudgetThenSkipIt() {
        Exception failure = new SerializationException("reading failed", new IOException("stream closed"));

        for (int attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
            assertThat(handler.handleError(context(7), record(new byte[] {0}), failure)
                            .result())
                    .as("attempt %d", attempt)
                    .isEqualTo(Result.FAIL);
        }
        assertThat(handler.handleError(context(7), record(new byte[] {0}), failure)
                        .result())
                .as("the last attempt")
                .isEqualTo(Result.RESUME);
        assertThat(skipped).hasValue(1);
    }

    @Test
    void shouldShareTheBudgetWithTheHandlerOfAReplacementThread() {
        RecordRetries retries = new RecordRetries(2, Duration.ZERO);
        Exception failure = new SerializationException("reading failed", new IOException("stream closed"));

        assertThat(handler(retries)
                        .handleError(context(8), record(new byte[] {0}), failure)
                        .result())
                .isEqualTo(Result.FAIL);
        assertThat(handler(retries)
                        .handleError(context(8), record(new byte[] {0}), failure)
                        .result())
                .isEqualTo(Result.RESUME);
    }

    @Test
    void shouldRefuseToStartWithoutThePolicy() {
        assertThatThrownBy(() -> new VerdictDeserializationHandler().configure(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(VerdictDeserializationHandler.POLICY_CONFIG);
    }

    @Test
    void shouldInstallItselfWithThePolicy() {
        Properties props = new Properties();
        VerdictDeserializationHandler.Policy policy =
                new VerdictDeserializationHandler.Policy(RecordRetries.defaults(), () -> {}, Optional.empty());

        VerdictDeserializationHandler.install(props, policy);

        assertThat(props)
                .containsEntry(
                        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        VerdictDeserializationHandler.class.getName())
                .containsEntry(VerdictDeserializationHandler.POLICY_CONFIG, policy);
    }

    private VerdictDeserializationHandler handler(RecordRetries retries) {
        return handler(retries, Optional.empty());
    }

    private VerdictDeserializationHandler handler(RecordRetries retries, Optional<DeadLetterTopic> deadLetters) {
        VerdictDeserializationHandler configured = new VerdictDeserializationHandler();
        configured.configure(Map.of(
                VerdictDeserializationHandler.POLICY_CONFIG,
                new VerdictDeserializationHandler.Policy(retries, skipped::incrementAndGet, deadLetters)));
        return configured;
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

    /** A port nothing listens on: taken from the system, then freed. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] value) {
        return new ConsumerRecord<>("feedback", 0, 5, "img-1".getBytes(StandardCharsets.UTF_8), value);
    }

    private static ErrorHandlerContext context(long offset) {
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return "feedback";
            }

            @Override
            public int partition() {
                return 0;
            }

            @Override
            public long offset() {
                return offset;
            }

            @Override
            public Headers headers() {
                return new RecordHeaders();
            }

            @Override
            public String processorNodeId() {
                return "feedback";
            }

            @Override
            public TaskId taskId() {
                return new TaskId(0, 0);
            }

            @Override
            public long timestamp() {
                return 0;
            }

            @Override
            public byte[] sourceRawKey() {
                return null;
            }

            @Override
            public byte[] sourceRawValue() {
                return null;
            }
        };
    }
}
