package io.imgstream.training.fit;

import io.imgstream.images.decode.ImageDecodeException;
import io.imgstream.images.decode.ImageDecoder;
import io.imgstream.images.decode.ImageLimits;
import io.imgstream.images.decode.TargetSize;
import io.imgstream.model.preprocess.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads image files for a base as the scorer and the worker decode an image's bytes: the file's size checked against
 * the decoder's limit before it is read, then decoded for the base's input size (large images subsampled to a few
 * times it), so that features computed from files are the ones the scorer will compute.
 *
 * <p>Thread-safe.
 */
public final class ImageFiles {

    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());
    private final TargetSize target;

    /** @param input the base's input, which images are decoded for */
    public ImageFiles(Preprocessing input) {
        Objects.requireNonNull(input, "input");
        this.target = new TargetSize(input.width(), input.height());
    }

    /** The size large images are decoded for. */
    public TargetSize target() {
        return target;
    }

    /**
     * Reads and decodes one file.
     *
     * @param file an image file
     * @return the decoded image
     * @throws IOException              if the file can't be read
     * @throws IllegalArgumentException if the file is larger than an image may be, or is not a usable image
     */
    public BufferedImage decode(Path file) throws IOException {
        long size = Files.size(file);
        if (size > decoder.limits().maxBytes()) {
            throw new IllegalArgumentException(file + " is " + size + " bytes, more than the "
                    + decoder.limits().maxBytes() + " an image may be");
        }
        try {
            return decoder.decode(Files.readAllBytes(file), target);
        } catch (ImageDecodeException e) {
            throw new IllegalArgumentException(file + " is not a usable image: " + e.getMessage(), e);
        }
    }
}
