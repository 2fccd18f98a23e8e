package io.imgstream.model.base;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.DigestUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Identifies a base network by what it computes: its architecture name and the sha256 of its weights.
 * Two bases with the same id give the same bottleneck features for the same input, so features cached
 * under an id can be reused by anything that names the same id.
 *
 * @param name          architecture name, e.g. {@code vgg16}
 * @param weightsSha256 lowercase hex sha256 of the weights
 */
public record BaseModelId(String name, String weightsSha256) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final char SEPARATOR = '@';

    public BaseModelId {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(weightsSha256, "weightsSha256");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "base name '" + name + "' must be lowercase letters, digits, '.', '_' or '-'");
        }
        weightsSha256 = weightsSha256.toLowerCase(Locale.ROOT);
        if (!SHA256.matcher(weightsSha256).matches()) {
            throw new IllegalArgumentException(
                    "weights sha256 of " + name + " must be 64 hex digits, got '" + weightsSha256 + "'");
        }
    }

    /**
     * The id of a network built or trained here: its name and the sha256 of its parameters as float32,
     * little-endian, in the order DL4J flattens them.
     */
    public static BaseModelId ofParameters(String name, INDArray params) {
        float[] values = params.castTo(DataType.FLOAT).toFloatVector();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return new BaseModelId(name, DigestUtils.sha256Hex(bytes.array()));
    }

    /** Parses the {@code name@sha256} form of {@link #toString()}. */
    public static BaseModelId parse(String text) {
        int at = text.lastIndexOf(SEPARATOR);
        if (at <= 0) {
            throw new IllegalArgumentException("base model id '" + text + "' must look like name@sha256");
        }
        return new BaseModelId(text.substring(0, at), text.substring(at + 1));
    }

    /** {@code name@sha256}, the form stored in bundles, feature keys and {@code ModelVersion.baseModelId}. */
    @Override
    public String toString() {
        return name + SEPARATOR + weightsSha256;
    }
}
