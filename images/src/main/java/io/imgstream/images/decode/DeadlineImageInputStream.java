package io.imgstream.images.decode;

import java.io.IOException;
import java.io.InputStream;
import javax.imageio.IIOException;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * An image stream that fails every read once its {@link DecodeDeadline} has passed. Readers pull their input
 * in small pieces while they decode (a progressive JPEG's coefficients, a PNG's compressed rows), so this stops
 * the phases where no row is written yet and no progress is reported.
 */
final class DeadlineImageInputStream extends MemoryCacheImageInputStream {

    private final DecodeDeadline deadline;

    DeadlineImageInputStream(InputStream source, DecodeDeadline deadline) {
        super(source);
        this.deadline = deadline;
    }

    @Override
    public int read() throws IOException {
        checkDeadline();
        return super.read();
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        checkDeadline();
        return super.read(bytes, offset, length);
    }

    private void checkDeadline() throws IIOException {
        if (deadline.reached()) {
            throw new IIOException(
                    "decoding took longer than " + deadline.budget().toMillis() + " ms");
        }
    }
}
