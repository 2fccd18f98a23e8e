package io.imgstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelFeedback;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** A record of another registered schema on a topic fails to deserialize instead of reaching a cast. */
class TypedDeserializerTest {

    private static final ImageRef IMAGE_REF = ImageRef.newBuilder()
            .setId("img-1")
            .setUri("file:///images/img-1.png")
            .setEventTime(Instant.EPOCH)
            .build();

    /** What the registry's deserializer does with a valid ImageRef, whatever topic it was sent to. */
    private static final Deserializer<SpecificRecord> REGISTRY = (topic, data) -> data == null ? null : IMAGE_REF;

    @Test
    void shouldRefuseARecordOfAnotherSchemaAsUndeserializable() {
        Deserializer<LabelFeedback> labels = new TypedDeserializer<>(REGISTRY, LabelFeedback.class);

        Throwable failure = catchThrowable(() -> labels.deserialize("feedback", new RecordHeaders(), new byte[] {0}));

        assertThat(failure)
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(ImageRef.class.getName())
                .hasMessageContaining("LabelFeedback");
        assertThat(FailureVerdict.of(failure)).as("the record's fault").isEqualTo(FailureVerdict.RECORD);
    }

    @Test
    void shouldPassRecordsOfItsTypeAndTombstones() {
        Deserializer<ImageRef> refs = new TypedDeserializer<>(REGISTRY, ImageRef.class);

        assertThat(refs.deserialize("images", new byte[] {0})).isEqualTo(IMAGE_REF);
        assertThat(refs.deserialize("images", new RecordHeaders(), (byte[]) null))
                .isNull();
    }
}
