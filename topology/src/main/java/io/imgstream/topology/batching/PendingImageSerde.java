package io.imgstream.topology.batching;

import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.topology.scoring.PendingImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of the batcher's store values (and so of its changelog topic). The layout is private to the scorer and
 * needs no registry: a format byte, the Kafka position and times, the original record value, and the parsed
 * {@link ImageRef} in Avro's single-object encoding (which names its schema by fingerprint).
 *
 * <p>Changing the layout means a new format byte and reading the old one too: a changelog written by the
 * previous release must restore.
 */
public final class PendingImageSerde implements Serde<PendingImage> {

    private static final byte FORMAT_V1 = 1;

    @Override
    public Serializer<PendingImage> serializer() {
        return (topic, image) -> image == null ? null : write(image);
    }

    @Override
    public Deserializer<PendingImage> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    private static byte[] write(PendingImage image) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT_V1);
            out.writeUTF(image.topic());
            out.writeInt(image.partition());
            out.writeLong(image.offset());
            out.writeLong(image.timestamp());
            out.writeLong(image.enqueuedMs());
            out.writeInt(image.rawValue().length);
            out.write(image.rawValue());
            ByteBuffer ref = image.ref().toByteBuffer();
            out.writeInt(ref.remaining());
            out.write(ref.array(), ref.arrayOffset() + ref.position(), ref.remaining());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not encode pending image " + image.ref().getId(), e);
        }
    }

    private static PendingImage read(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte format = in.readByte();
            if (format != FORMAT_V1) {
                throw new SerializationException("pending image in format " + format + ", this scorer reads format "
                        + FORMAT_V1 + "; it was written by a newer release");
            }
            String topic = in.readUTF();
            int partition = in.readInt();
            long offset = in.readLong();
            long timestamp = in.readLong();
            long enqueuedMs = in.readLong();
            byte[] rawValue = in.readNBytes(in.readInt());
            ImageRef ref = ImageRef.fromByteBuffer(ByteBuffer.wrap(in.readNBytes(in.readInt())));
            return new PendingImage(ref, rawValue, topic, partition, offset, timestamp, enqueuedMs);
        } catch (IOException e) {
            throw new SerializationException("corrupt pending image in the batcher's store", e);
        }
    }
}
