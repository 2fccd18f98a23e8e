package io.imgstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.schemas.avro.ImageRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/** A record of a few bytes that declares a huge field is refused before Avro allocates it. */
class AvroLimitsTest {

    @Test
    void shouldRunTestsUnderTheBoundsTheApplicationsSet() {
        assertThat(AvroLimits.jvmFlags()).allSatisfy(flag -> {
            String[] property = flag.substring(2).split("=", 2);
            assertThat(System.getProperty(property[0]))
                    .as("the build's test JVM sets %s", property[0])
                    .isEqualTo(property[1]);
        });
    }

    @Test
    void shouldRefuseAnImageRefWhoseInlineBytesClaimTwoGigabytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        encoder.writeString("img-1");
        encoder.writeString("inline:");
        encoder.writeIndex(1); // inlineBytes: the "bytes" branch of the union
        encoder.writeLong(2_000_000_000L); // its declared length, with no bytes behind it
        encoder.flush();
        byte[] record = out.toByteArray();

        assertThat(record).hasSizeLessThanOrEqualTo(20);
        assertThatThrownBy(() -> new SpecificDatumReader<>(ImageRef.class)
                        .read(null, DecoderFactory.get().binaryDecoder(record, null)))
                .isInstanceOf(SystemLimitException.class);
    }

    @Test
    void shouldRefuseAFeatureVectorDeclaringTwoBillionItems() throws IOException {
        // Its first array (the shape) claims two billion items, with none behind the claim (past 2^31 - 8 Avro
        // refuses on its own; below it, only the limit stands between the claim and the allocation).
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        encoder.writeString("img-2");
        encoder.writeString("vgg16@" + "0".repeat(64));
        encoder.writeArrayStart();
        encoder.setItemCount(2_000_000_000L);
        encoder.flush();

        assertThatThrownBy(() -> new SpecificDatumReader<>(FeatureVector.class)
                        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null)))
                .isInstanceOf(SystemLimitException.class);
    }
}
