package io.imgstream.it;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Where the variable-length integers of one Avro binary datum lie: string and bytes lengths, array and map block
 * counts, union branches, enum symbols and numbers. A fuzzer rewrites them to claim more than the record holds,
 * which random bit flips rarely do in a way Avro reads as a length.
 */
final class AvroVarints {

    /** What a varint encodes. */
    enum Kind {
        /** The length of a string or bytes value. */
        LENGTH,
        /** The item count of an array or map block. */
        COUNT,
        /** A union branch or an enum symbol. */
        INDEX,
        /** An int or long value. */
        NUMBER
    }

    /**
     * One varint.
     *
     * @param offset where its first byte is
     * @param length how many bytes it takes
     * @param value  what it encodes, zig-zag decoded
     * @param kind   what it encodes
     */
    record Varint(int offset, int length, long value, Kind kind) {}

    private final byte[] bytes;
    private final List<Varint> found = new ArrayList<>();
    private int position;

    private AvroVarints(byte[] bytes, int start) {
        this.bytes = bytes;
        this.position = start;
    }

    /**
     * The varints of the datum of {@code schema} that starts at {@code start} in {@code bytes}, in order.
     *
     * @throws IllegalArgumentException if the bytes are not such a datum
     */
    static List<Varint> of(Schema schema, byte[] bytes, int start) {
        AvroVarints walk = new AvroVarints(bytes, start);
        walk.datum(schema);
        if (walk.position != bytes.length) {
            throw new IllegalArgumentException(
                    (bytes.length - walk.position) + " bytes after the datum of " + schema.getFullName());
        }
        return List.copyOf(walk.found);
    }

    /** The zig-zag varint encoding of {@code value}, as Avro writes ints and longs. */
    static byte[] encode(long value) {
        long zigZag = (value << 1) ^ (value >> 63);
        byte[] buffer = new byte[10];
        int length = 0;
        while ((zigZag & ~0x7FL) != 0) {
            buffer[length++] = (byte) ((zigZag & 0x7F) | 0x80);
            zigZag >>>= 7;
        }
        buffer[length++] = (byte) zigZag;
        return Arrays.copyOf(buffer, length);
    }

    private void datum(Schema schema) {
        switch (schema.getType()) {
            case RECORD -> schema.getFields().forEach(field -> datum(field.schema()));
            case UNION -> datum(schema.getTypes().get(Math.toIntExact(varint(Kind.INDEX))));
            case ENUM -> varint(Kind.INDEX);
            case STRING, BYTES -> skip(varint(Kind.LENGTH));
            case INT, LONG -> varint(Kind.NUMBER);
            case FLOAT -> skip(4);
            case DOUBLE -> skip(8);
            case BOOLEAN -> skip(1);
            case FIXED -> skip(schema.getFixedSize());
            case NULL -> {}
            case ARRAY -> blocks(schema.getElementType(), false);
            case MAP -> blocks(schema.getValueType(), true);
        }
    }

    private void blocks(Schema items, boolean keyed) {
        for (long count = varint(Kind.COUNT); count != 0; count = varint(Kind.COUNT)) {
            if (count < 0) {
                count = -count;
                varint(Kind.LENGTH);
            }
            for (long i = 0; i < count; i++) {
                if (keyed) {
                    skip(varint(Kind.LENGTH));
                }
                datum(items);
            }
        }
    }

    private long varint(Kind kind) {
        int start = position;
        long raw = 0;
        for (int shift = 0; ; shift += 7) {
            if (position >= bytes.length || shift > 63) {
                throw new IllegalArgumentException("no varint at " + start);
            }
            int b = bytes[position++] & 0xFF;
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        long value = (raw >>> 1) ^ -(raw & 1);
        found.add(new Varint(start, position - start, value, kind));
        return value;
    }

    private void skip(long count) {
        if (count < 0 || position + count > bytes.length) {
            throw new IllegalArgumentException("datum ends before " + count + " more bytes at " + position);
        }
        position += (int) count;
    }
}
