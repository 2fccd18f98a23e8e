package io.imgstream.topology.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.RecordRetries;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParseProcessorTest {

    /** Avro single-object encoding stands in for the registry format: same failure modes, no registry needed. */
    private static final Deserializer<ImageRef> SINGLE_OBJECT = (topic, data) -> {
        try {
            return ImageRef.fromByteBuffer(ByteBuffer.wrap(data));
        } catch (IOException | AvroRuntimeException e) {
            throw new SerializationException("not an ImageRef", e);
        }
    };

    private static final int MAX_ATTEMPTS = 3;

    private final RecordRetries retries = new RecordRetries(MAX_ATTEMPTS, Duration.ZERO);
    private MockProcessorContext<String, Object> context;

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        context.setRecordMetadata("images", 2, 41L);
        context.setCurrentSystemTimeMs(1_000L);
    }

    @Test
    void shouldForwardParsedReferenceToNextNode() throws Exception {
        ParseProcessor processor = processor(SINGLE_OBJECT);
        byte[] bytes = ref("img-1").toByteBuffer().array();

        processor.process(new Record<>("img-1", bytes, 0L));

        CapturedForward<? extends String, ?> forward = single();
        assertThat(forward.childName()).hasValue("fetch");
        assertThat(((ImageTask) forward.record().value()).ref().getId()).isEqualTo("img-1");
        assertThat(((ImageTask) forward.record().value()).rawValue()).isEqualTo(bytes);
    }

    @Test
    void shouldDeadLetterGarbageWithOriginalBytesAndPosition() {
        byte[] garbage = {0x42, 0x13, 0x37};

        processor(SINGLE_OBJECT).process(new Record<>("img-2", garbage, 0L));

        DeadLetter letter = deadLetter();
        assertThat(letter.getStage()).isEqualTo(DeadLetterStage.DESERIALIZE);
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_RECORD);
        assertThat(letter.getOriginalValue().array()).isEqualTo(garbage);
        assertThat(letter.getSourceTopic()).isEqualTo("images");
        assertThat(letter.getSourcePartition()).isEqualTo(2);
        assertThat(letter.getSourceOffset()).isEqualTo(41L);
        assertThat(letter.getImageId()).isEqualTo("img-2");
        assertThat(letter.getExceptionClass()).isEqualTo(SerializationException.class.getName());
    }

    @Test
    void shouldDeadLetterRecordWithoutValue() {
        processor(SINGLE_OBJECT).process(new Record<>("img-3", null, 0L));

        assertThat(deadLetter().getMessage()).contains("record has no value");
    }

    @Test
    void shouldDeadLetterKeyThatDiffersFromImageId() throws Exception {
        processor(SINGLE_OBJECT)
                .process(new Record<>("other", ref("img-4").toByteBuffer().array(), 0L));

        DeadLetter letter = deadLetter();
        assertThat(letter.getStage()).isEqualTo(DeadLetterStage.VALIDATE);
        assertThat(letter.getMessage()).contains("record key 'other' differs from ImageRef.id 'img-4'");
    }

    @Test
    void shouldFailTaskWhenRegistryIsUnreachableHoweverOftenItHappens() {
        Deserializer<ImageRef> registryDown = (topic, data) -> {
            throw new UncheckedIOException(new ConnectException("Connection refused"));
        };
        ParseProcessor processor = processor(registryDown);

        // Each attempt is a replacement task getting the record again; an outage must never cost the record.
        for (int attempt = 1; attempt <= 3 * MAX_ATTEMPTS; attempt++) {
            assertThatThrownBy(() -> processor.process(new Record<>("img-5", new byte[] {0, 0, 0, 0, 1}, 0L)))
                    .as("attempt %d", attempt)
                    .isInstanceOf(UncheckedIOException.class);
        }
        assertThat(context.forwarded()).isEmpty();
    }

    @Test
    void shouldDeadLetterARecordCutShortAtOnceInsteadOfTakingItForAnOutage() throws Exception {
        byte[] whole = ref("img-6").toByteBuffer().array();
        byte[] cutShort = Arrays.copyOf(whole, whole.length - 3);

        processor(SINGLE_OBJECT).process(new Record<>("img-6", cutShort, 0L));

        DeadLetter letter = deadLetter();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_RECORD);
        assertThat(letter.getStage()).isEqualTo(DeadLetterStage.DESERIALIZE);
        assertThat(letter.getOriginalValue().array()).isEqualTo(cutShort);
    }

    @Test
    void shouldDeadLetterARecordWhoseUncertainFailureOutlastsItsRetryBudget() {
        Deserializer<ImageRef> alwaysOutOfMemory = (topic, data) -> {
            throw new OutOfMemoryError("Java heap space");
        };
        ParseProcessor processor = processor(alwaysOutOfMemory);
        Record<String, byte[]> record = new Record<>("img-7", new byte[] {0, 0, 0, 0, 2}, 0L);

        for (int attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
            assertThatThrownBy(() -> processor.process(record))
                    .as("attempt %d", attempt)
                    .isInstanceOf(Error.class);
        }
        processor.process(record);

        DeadLetter letter = deadLetter();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.RETRIES_EXHAUSTED);
        assertThat(letter.getMessage()).contains("failed " + MAX_ATTEMPTS + " times", "Java heap space");
        assertThat(letter.getExceptionClass()).isEqualTo(OutOfMemoryError.class.getName());
        assertThat(letter.getSourceOffset()).isEqualTo(41L);
    }

    @Test
    void shouldStartTheBudgetAfreshForTheNextRecord() {
        Deserializer<ImageRef> failsOnce = new Deserializer<>() {
            private boolean failed;

            @Override
            public ImageRef deserialize(String topic, byte[] data) {
                if (!failed) {
                    failed = true;
                    throw new OutOfMemoryError("transient");
                }
                return ref("img-8");
            }
        };
        ParseProcessor processor = processor(failsOnce);
        Record<String, byte[]> record = new Record<>("img-8", new byte[] {1}, 0L);

        assertThatThrownBy(() -> processor.process(record)).isInstanceOf(OutOfMemoryError.class);
        processor.process(record);

        assertThat(single().childName()).hasValue("fetch");
    }

    private ParseProcessor processor(Deserializer<ImageRef> deserializer) {
        ParseProcessor processor = new ParseProcessor(deserializer, retries, "fetch", "dead-letter");
        processor.init(context);
        return processor;
    }

    private CapturedForward<? extends String, ?> single() {
        List<CapturedForward<? extends String, ?>> forwarded = context.forwarded();
        assertThat(forwarded).hasSize(1);
        return forwarded.get(0);
    }

    private DeadLetter deadLetter() {
        CapturedForward<? extends String, ?> forward = single();
        assertThat(forward.childName()).hasValue("dead-letter");
        return (DeadLetter) forward.record().value();
    }

    private static ImageRef ref(String id) {
        return ImageRef.newBuilder()
                .setId(id)
                .setUri("file:///x.png")
                .setEventTime(Instant.EPOCH)
                .build();
    }
}
