package io.imgstream.model.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Decoding of TF.js weight encodings. */
class WeightEncodingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldDequantizeUint8AsQTimesScalePlusMinInDouble() throws Exception {
        JsonNode spec = JSON.readTree("{\"name\":\"c/kernel\",\"shape\":[3],\"dtype\":\"float32\","
                + "\"quantization\":{\"min\":-0.87334511607301,\"scale\":0.006666756611244351,\"dtype\":\"uint8\"}}");
        ByteBuffer bytes =
                ByteBuffer.wrap(new byte[] {0, (byte) 131, (byte) 255}).order(ByteOrder.LITTLE_ENDIAN);

        float[] values = WeightEncoding.decode("test", spec, new long[] {3}, bytes);

        assertThat(values)
                .containsExactly(
                        (float) -0.87334511607301, (float) (131 * 0.006666756611244351 - 0.87334511607301), (float)
                                (255 * 0.006666756611244351 - 0.87334511607301));
        assertThat(bytes.remaining()).isZero();
    }

    @Test
    void shouldDecodeLittleEndianFloat32AndUint16() throws Exception {
        JsonNode float32 = JSON.readTree("{\"name\":\"d/bias\",\"shape\":[2],\"dtype\":\"float32\"}");
        JsonNode uint16 = JSON.readTree("{\"name\":\"d/kernel\",\"shape\":[1],\"dtype\":\"float32\","
                + "\"quantization\":{\"min\":1.0,\"scale\":0.5,\"dtype\":\"uint16\"}}");
        ByteBuffer bytes = ByteBuffer.allocate(10)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(1.5f)
                .putFloat(-2.25f)
                .putShort((short) 40_000)
                .flip();

        assertThat(WeightEncoding.decode("test", float32, new long[] {2}, bytes))
                .containsExactly(1.5f, -2.25f);
        assertThat(WeightEncoding.decode("test", uint16, new long[] {1}, bytes)).containsExactly(20_001f);
    }

    @Test
    void shouldConvertHalfPrecisionIncludingSubnormalsAndInfinity() {
        assertThat(WeightEncoding.halfToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(WeightEncoding.halfToFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(WeightEncoding.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(WeightEncoding.halfToFloat((short) 0x0001)).isEqualTo((float) Math.pow(2, -24));
        assertThat(WeightEncoding.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(WeightEncoding.halfToFloat((short) 0x3555)).isEqualTo(0.33325195f);
    }

    @Test
    void shouldRefuseAnUnknownDtype() throws Exception {
        JsonNode spec = JSON.readTree("{\"name\":\"d/kernel\",\"shape\":[1],\"dtype\":\"complex64\"}");

        assertThatThrownBy(() -> WeightEncoding.decode("model.json", spec, new long[] {1}, ByteBuffer.allocate(8)))
                .isInstanceOf(CorruptWeightsException.class)
                .hasMessageContaining("d/kernel has unsupported dtype 'complex64'");
    }
}
