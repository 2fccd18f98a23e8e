package io.imgstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.imgstream.schemas.avro.ImageRef;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.Arrays;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

/** Garbled records are the record's fault, whatever wraps Avro's exception; an unreachable server never is. */
class FailureVerdictTest {

    @Test
    void shouldLayAVarintThatNeverEndsAtTheRecordsDoor() throws IOException {
        // What a bit flip in a length field can make: continuation bits on every byte, so the number never ends.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        encoder.writeString("img-1");
        encoder.flush();
        byte[] endless = new byte[12];
        Arrays.fill(endless, (byte) 0xFF);
        out.write(endless);
        byte[] record = out.toByteArray();

        Throwable failure = catchThrowable(() -> new SpecificDatumReader<>(ImageRef.class)
                .read(null, DecoderFactory.get().binaryDecoder(record, null)));

        assertThat(failure).isInstanceOf(IOException.class);
        // The registry's deserializer hands it on wrapped, as an UncheckedIOException.
        assertThat(FailureVerdict.of(new UncheckedIOException((IOException) failure)))
                .isEqualTo(FailureVerdict.RECORD);
    }

    @Test
    void shouldTellRecordFaultsFromOutagesAndUncertainFailures() {
        assertThat(FailureVerdict.of(new UncheckedIOException(new EOFException("cut short"))))
                .isEqualTo(FailureVerdict.RECORD);
        assertThat(FailureVerdict.of(new IllegalStateException(new ConnectException("refused"))))
                .isEqualTo(FailureVerdict.INFRASTRUCTURE);
        assertThat(FailureVerdict.of(new UncheckedIOException(new IOException("disk"))))
                .isEqualTo(FailureVerdict.UNCERTAIN);
        assertThat(FailureVerdict.of(new IllegalArgumentException("bad"))).isEqualTo(FailureVerdict.RECORD);
    }
}
