package io.imgstream.model.bases;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.imgstream.model.base.BaseModelId;
import io.imgstream.model.preprocess.Preprocessing;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * What the base store records about one base, in {@code <store>/<name>/base.json}: enough to load it again and to
 * tell it apart from any other.
 *
 * @param name            the store's name for it, e.g. {@code vgg16} or {@code nsfwjs.mobilenet_v2}
 * @param id              what it computes: architecture name and weights hash, as bundles and feature caches name it
 * @param architecture    e.g. {@code vgg16}, {@code mobilenet_v2}, or {@code custom}
 * @param format          the file format it was imported from
 * @param file            the imported file (or directory) inside the base's directory
 * @param member          the model inside an nsfwjs tarball; null otherwise
 * @param preprocessing   the input size, pixel scaling and resizing the network was trained with
 * @param dataFormat      the graph's image layout: NCHW for bases built here, NHWC for Keras and TF.js imports
 * @param bottleneckLayer the layer whose activations are the features
 * @param featureShape    one image's features at the recorded input size, channels first
 * @param fileSha256      sha256 of the imported file (of every file, in name order, for a directory)
 * @param origin          where it came from: the download URL or the imported path
 * @param importedAt      when it was stored
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredBase(
        String name,
        BaseModelId id,
        String architecture,
        BaseFormat format,
        String file,
        String member,
        Preprocessing preprocessing,
        CNN2DFormat dataFormat,
        String bottleneckLayer,
        List<Long> featureShape,
        String fileSha256,
        String origin,
        Instant importedAt) {

    /** The architecture name of a network that is not one of the Keras applications. */
    public static final String CUSTOM_ARCHITECTURE = "custom";

    private static final int MIN_ID_PREFIX = 12;

    public StoredBase {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(dataFormat, "dataFormat");
        Objects.requireNonNull(bottleneckLayer, "bottleneckLayer");
        Objects.requireNonNull(fileSha256, "fileSha256");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(importedAt, "importedAt");
        featureShape = List.copyOf(featureShape);
    }

    /** Whether {@code ref} names this base: its store name, its full id, or its id with at least 12 hex digits. */
    public boolean matches(String ref) {
        if (ref.equals(name) || ref.equals(id.toString())) {
            return true;
        }
        int at = ref.lastIndexOf('@');
        return at > 0
                && ref.substring(0, at).equals(id.name())
                && ref.length() - at - 1 >= MIN_ID_PREFIX
                && id.weightsSha256().startsWith(ref.substring(at + 1));
    }
}
