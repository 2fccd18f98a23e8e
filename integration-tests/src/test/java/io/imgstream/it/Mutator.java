package io.imgstream.it;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.apache.avro.Schema;

/**
 * Seeded mutations of valid inputs: records in the registry's wire format (magic byte 0, 4-byte schema id, Avro
 * body) and image files. Each mutation is named by a kind, so outcomes can be counted by what was done. Given the
 * same seed and the same calls, it makes the same mutants.
 *
 * <p>Beside blind ones (bit flips, cuts, appended or random bytes) it makes the structured lies a hostile producer
 * would tell: Avro lengths and counts rewritten to claim far more than the record holds, varints that never end,
 * schema ids of nothing or of another record type, image headers declaring huge dimensions, PNG chunks and JPEG
 * segments claiming more bytes than follow.
 */
final class Mutator {

    /** Bytes before the Avro body in the registry's wire format. */
    static final int WIRE_HEADER = 5;

    /**
     * A mutated input.
     *
     * @param kind  what was done, e.g. {@code record:length-inflated}
     * @param bytes the result; null for a tombstone
     */
    record Mutant(String kind, byte[] bytes) {}

    /** What length and count fields are rewritten to: past the record, past Avro's limits, negative, huge. */
    private static final long[] CLAIMS = {
        -1, -1_000_000, 1 << 10, 999_999, 1_000_001, 1 << 20, (1 << 24) + 1, Integer.MAX_VALUE, Long.MAX_VALUE
    };
    /** What image dimensions are rewritten to. */
    private static final long[] DIMENSIONS = {0, 1, 7_000, 40_000, 65_535, 1 << 20, Integer.MAX_VALUE, 0xFFFF_FFFFL};

    private final Random random;

    /** @param random the source of every choice; seeded, so a run can be replayed */
    Mutator(Random random) {
        this.random = random;
    }

    /**
     * A mutant of {@code wire}, a valid record of {@code schema} in the registry's wire format.
     *
     * @param foreignSchemaIds registered ids of other record types, for a record that claims the wrong schema
     */
    Mutant record(byte[] wire, Schema schema, List<Integer> foreignSchemaIds) {
        int choice = random.nextInt(100);
        if (choice < 20) {
            return new Mutant("record:bit-flips", flipBits(wire, WIRE_HEADER));
        }
        if (choice < 30) {
            return new Mutant("record:truncated", Arrays.copyOf(wire, random.nextInt(wire.length)));
        }
        if (choice < 36) {
            return new Mutant("record:extended", concat(wire, randomBytes(1 + random.nextInt(64))));
        }
        if (choice < 40) {
            return new Mutant("record:garbage", randomBytes(random.nextInt(256)));
        }
        if (choice < 42) {
            return new Mutant("record:tombstone", null);
        }
        List<AvroVarints.Varint> varints = AvroVarints.of(schema, wire, WIRE_HEADER);
        if (choice < 62) {
            List<AvroVarints.Varint> lengths = varints.stream()
                    .filter(v -> v.kind() == AvroVarints.Kind.LENGTH || v.kind() == AvroVarints.Kind.COUNT)
                    .toList();
            AvroVarints.Varint target = lengths.get(random.nextInt(lengths.size()));
            return new Mutant("record:length-inflated", replace(wire, target, AvroVarints.encode(pick(CLAIMS))));
        }
        if (choice < 70) {
            AvroVarints.Varint target = varints.get(random.nextInt(varints.size()));
            long claim = random.nextBoolean() ? pick(CLAIMS) : random.nextLong();
            return new Mutant("record:varint-rewritten", replace(wire, target, AvroVarints.encode(claim)));
        }
        if (choice < 76) {
            AvroVarints.Varint target = varints.get(random.nextInt(varints.size()));
            byte[] endless = new byte[10 + random.nextInt(6)];
            Arrays.fill(endless, (byte) 0xFF);
            return new Mutant("record:varint-overlong", replace(wire, target, endless));
        }
        if (choice < 84) {
            int[] unknown = {0, -1, Integer.MAX_VALUE, 0x7F00_0000 + random.nextInt(1 << 16), 100_000};
            return new Mutant("record:schema-id-unknown", withSchemaId(wire, unknown[random.nextInt(unknown.length)]));
        }
        if (choice < 94) {
            int foreign = foreignSchemaIds.get(random.nextInt(foreignSchemaIds.size()));
            return new Mutant("record:schema-id-foreign", withSchemaId(wire, foreign));
        }
        byte[] copy = wire.clone();
        copy[0] = (byte) (1 + random.nextInt(255));
        return new Mutant("record:magic-byte", copy);
    }

    /** A mutant of {@code image}, a valid PNG, JPEG or GIF file. */
    Mutant image(byte[] image) {
        int choice = random.nextInt(100);
        if (choice < 25) {
            return new Mutant("image:bit-flips", flipBits(image, 0));
        }
        if (choice < 40) {
            return new Mutant("image:truncated", Arrays.copyOf(image, random.nextInt(image.length)));
        }
        if (choice < 47) {
            return new Mutant("image:extended", concat(image, randomBytes(1 + random.nextInt(4096))));
        }
        if (choice < 52) {
            // A real signature in front of noise: the decoder is chosen, then finds nothing it can read.
            byte[] noise = randomBytes(image.length);
            System.arraycopy(image, 0, noise, 0, Math.min(8, image.length));
            return new Mutant("image:garbage-after-signature", noise);
        }
        if (choice < 80) {
            return new Mutant("image:dimensions-inflated", inflateDimensions(image));
        }
        return new Mutant("image:segment-length-inflated", inflateSegmentLength(image));
    }

    /** A choice between {@code 0} (inclusive) and {@code bound}, from the mutator's seeded source. */
    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    private byte[] flipBits(byte[] input, int from) {
        byte[] copy = input.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips && copy.length > from; i++) {
            int at = from + random.nextInt(copy.length - from);
            copy[at] ^= (byte) (1 << random.nextInt(8));
        }
        return copy;
    }

    private byte[] inflateDimensions(byte[] image) {
        byte[] copy = image.clone();
        if (isPng(copy)) {
            // IHDR is the first chunk: width at 16, height at 20, then its CRC at 29, which a careful decoder checks.
            for (int field : new int[] {16, 20}) {
                if (random.nextBoolean()) {
                    ByteBuffer.wrap(copy).putInt(field, (int) pick(DIMENSIONS));
                }
            }
            if (random.nextBoolean()) {
                CRC32 crc = new CRC32();
                crc.update(copy, 12, 17);
                ByteBuffer.wrap(copy).putInt(29, (int) crc.getValue());
            }
            return copy;
        }
        if (isGif(copy)) {
            // The logical screen's width and height, little-endian, at 6 and 8.
            long dimension = pick(DIMENSIONS);
            int at = random.nextBoolean() ? 6 : 8;
            copy[at] = (byte) dimension;
            copy[at + 1] = (byte) (dimension >>> 8);
            return copy;
        }
        for (int[] segment : jpegSegments(copy)) {
            int marker = segment[0];
            boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (frame) {
                // Start of frame: precision, then height and width, big-endian.
                int field = segment[1] + 4 + (random.nextBoolean() ? 1 : 3);
                long dimension = pick(DIMENSIONS);
                copy[field] = (byte) (dimension >>> 8);
                copy[field + 1] = (byte) dimension;
                return copy;
            }
        }
        return flipBits(copy, 0);
    }

    private byte[] inflateSegmentLength(byte[] image) {
        byte[] copy = image.clone();
        if (isPng(copy)) {
            List<Integer> lengths = new ArrayList<>();
            for (int at = 8; at + 8 <= copy.length; ) {
                lengths.add(at);
                long length = ByteBuffer.wrap(copy).getInt(at) & 0xFFFF_FFFFL;
                if (length > copy.length) {
                    break;
                }
                at += (int) length + 12;
            }
            int field = lengths.get(random.nextInt(lengths.size()));
            ByteBuffer.wrap(copy).putInt(field, (int) pick(DIMENSIONS));
            return copy;
        }
        List<int[]> segments = jpegSegments(copy);
        if (segments.isEmpty()) {
            return flipBits(copy, 0);
        }
        int[] segment = segments.get(random.nextInt(segments.size()));
        int claim = random.nextBoolean() ? 0xFFFF : random.nextInt(2);
        copy[segment[1] + 2] = (byte) (claim >>> 8);
        copy[segment[1] + 3] = (byte) claim;
        return copy;
    }

    /** The JPEG segments with a length field before the first scan: {marker, offset of the 0xFF}. */
    private static List<int[]> jpegSegments(byte[] jpeg) {
        List<int[]> segments = new ArrayList<>();
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            return segments;
        }
        int at = 2;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xFF) == 0xFF) {
            int marker = jpeg[at + 1] & 0xFF;
            segments.add(new int[] {marker, at});
            if (marker == 0xDA) {
                break;
            }
            at += 2 + (((jpeg[at + 2] & 0xFF) << 8) | (jpeg[at + 3] & 0xFF));
        }
        return segments;
    }

    private static boolean isPng(byte[] image) {
        return image.length > 33 && (image[0] & 0xFF) == 0x89 && image[1] == 'P' && image[2] == 'N';
    }

    private static boolean isGif(byte[] image) {
        return image.length > 10 && image[0] == 'G' && image[1] == 'I' && image[2] == 'F';
    }

    private static byte[] replace(byte[] wire, AvroVarints.Varint target, byte[] replacement) {
        byte[] result = new byte[wire.length - target.length() + replacement.length];
        System.arraycopy(wire, 0, result, 0, target.offset());
        System.arraycopy(replacement, 0, result, target.offset(), replacement.length);
        int rest = target.offset() + target.length();
        System.arraycopy(wire, rest, result, target.offset() + replacement.length, wire.length - rest);
        return result;
    }

    private static byte[] withSchemaId(byte[] wire, int schemaId) {
        byte[] copy = wire.clone();
        ByteBuffer.wrap(copy).putInt(1, schemaId);
        return copy;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] result = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private long pick(long[] values) {
        return values[random.nextInt(values.length)];
    }
}
