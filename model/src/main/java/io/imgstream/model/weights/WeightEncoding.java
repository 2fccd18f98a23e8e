package io.imgstream.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Decodes one TF.js weight from its shard bytes (little-endian) into float32 values. Stateless and
 * thread-safe.
 */
final class WeightEncoding {

    private static final int UINT8_MASK = 0xFF;
    private static final int UINT16_MASK = 0xFFFF;
    private static final int HALF_EXPONENT_SHIFT = 10;
    private static final int HALF_EXPONENT_MASK = 0x1F;
    private static final int HALF_MANTISSA_MASK = 0x3FF;
    private static final int HALF_SIGN_SHIFT = 15;
    private static final int HALF_INFINITE_EXPONENT = 0x1F;
    private static final int HALF_EXPONENT_BIAS = 15;
    private static final int HALF_MANTISSA_BITS = 10;

    private WeightEncoding() {}

    /**
     * Reads {@code product(shape)} values of the weight described by {@code spec} from the buffer's
     * position on, advancing it.
     *
     * @throws CorruptWeightsException if the dtype is unknown or the shards end early
     */
    static float[] decode(String source, JsonNode spec, long[] shape, ByteBuffer bytes) throws CorruptWeightsException {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        if (count > Integer.MAX_VALUE) {
            throw new CorruptWeightsException(source + ": weight "
                    + spec.path("name").asText() + " has " + count + " values, too many for one array");
        }
        float[] values = new float[(int) count];
        JsonNode quantization = spec.path("quantization");
        String dtype = quantization.isObject()
                ? quantization.path("dtype").asText()
                : spec.path("dtype").asText("float32");
        try {
            switch (dtype) {
                case "float32" -> bytes.asFloatBuffer().get(values);
                case "int32" -> {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = bytes.getInt(bytes.position() + Integer.BYTES * i);
                    }
                }
                case "float16" -> {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = halfToFloat(bytes.getShort(bytes.position() + Short.BYTES * i));
                    }
                }
                case "uint8" -> dequantize(bytes, values, quantization, Byte.BYTES);
                case "uint16" -> dequantize(bytes, values, quantization, Short.BYTES);
                default ->
                    throw new CorruptWeightsException(source + ": weight "
                            + spec.path("name").asText() + " has unsupported dtype '" + dtype + "'");
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new CorruptWeightsException(
                    source + ": the shards end before weight "
                            + spec.path("name").asText() + " (" + count + " " + dtype + " values)",
                    e);
        }
        bytes.position(bytes.position() + bytesPerValue(dtype) * values.length);
        return values;
    }

    private static int bytesPerValue(String dtype) {
        return switch (dtype) {
            case "uint8" -> Byte.BYTES;
            case "uint16", "float16" -> Short.BYTES;
            default -> Float.BYTES;
        };
    }

    /** {@code q * scale + min}, in double as TF.js computes it, then rounded to float32. */
    private static void dequantize(ByteBuffer bytes, float[] values, JsonNode quantization, int width) {
        double scale = quantization.path("scale").asDouble();
        double min = quantization.path("min").asDouble();
        int start = bytes.position();
        for (int i = 0; i < values.length; i++) {
            int q = width == Byte.BYTES
                    ? bytes.get(start + i) & UINT8_MASK
                    : bytes.getShort(start + Short.BYTES * i) & UINT16_MASK;
            values[i] = (float) (q * scale + min);
        }
    }

    /** IEEE 754 binary16 to float32 (Java 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short half) {
        int sign = (half >> HALF_SIGN_SHIFT) & 1;
        int exponent = (half >> HALF_EXPONENT_SHIFT) & HALF_EXPONENT_MASK;
        int mantissa = half & HALF_MANTISSA_MASK;
        float magnitude;
        if (exponent == 0) {
            magnitude = (float) Math.scalb((double) mantissa, 1 - HALF_EXPONENT_BIAS - HALF_MANTISSA_BITS);
        } else if (exponent == HALF_INFINITE_EXPONENT) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            magnitude = (float)
                    Math.scalb(1.0 + (double) mantissa / (1 << HALF_MANTISSA_BITS), exponent - HALF_EXPONENT_BIAS);
        }
        return sign == 0 ? magnitude : -magnitude;
    }
}
