package io.imgstream.model.bases;

import io.imgstream.model.preprocess.PixelScaling;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What to import into the base store. Everything but the source is optional: a Keras application (named, or
 * recognised by the file name Keras gives its download) brings its own input size, scaling and bottleneck; an
 * nsfwjs tarball's models bring theirs.
 *
 * @param source           a Keras {@code .h5}, a TF.js layers directory (or its {@code model.json}), an nsfwjs
 *                         {@code .tgz}, or a DL4J model zip
 * @param name             the store name; by default the architecture's, or the file's name
 * @param architecture     a Keras application the file holds, e.g. {@code vgg16}
 * @param member           the model inside an nsfwjs tarball: {@code mobilenet_v2} (default) or {@code inception_v3}
 * @param cutLayer         the bottleneck layer; by default the architecture's last layer
 * @param inputSize        input height and width; by default the architecture's
 * @param scaling          pixel scaling; by default the architecture's
 * @param architectureJson a Keras {@code model.to_json()} file for a weights-only {@code .h5} of another
 *                         architecture than VGG
 * @param origin           where the file came from, e.g. a download URL; by default the source path
 * @param replace          whether an existing base of that name is replaced
 */
public record ImportRequest(
        Path source,
        Optional<String> name,
        Optional<KerasApplication> architecture,
        Optional<String> member,
        Optional<String> cutLayer,
        Optional<Integer> inputSize,
        Optional<PixelScaling> scaling,
        Optional<Path> architectureJson,
        Optional<String> origin,
        boolean replace) {

    public ImportRequest {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(cutLayer, "cutLayer");
        Objects.requireNonNull(inputSize, "inputSize");
        Objects.requireNonNull(scaling, "scaling");
        Objects.requireNonNull(architectureJson, "architectureJson");
        Objects.requireNonNull(origin, "origin");
    }

    /** Imports {@code source} with every default. */
    public static ImportRequest of(Path source) {
        return new ImportRequest(
                source,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false);
    }

    /** This request with another store name. */
    public ImportRequest withName(String value) {
        return new ImportRequest(
                source,
                Optional.of(value),
                architecture,
                member,
                cutLayer,
                inputSize,
                scaling,
                architectureJson,
                origin,
                replace);
    }

    /** This request for a file that holds the given Keras application. */
    public ImportRequest withArchitecture(KerasApplication value) {
        return new ImportRequest(
                source,
                name,
                Optional.of(value),
                member,
                cutLayer,
                inputSize,
                scaling,
                architectureJson,
                origin,
                replace);
    }

    /** This request for the model {@code value} inside an nsfwjs tarball. */
    public ImportRequest withMember(String value) {
        return new ImportRequest(
                source,
                name,
                architecture,
                Optional.of(value),
                cutLayer,
                inputSize,
                scaling,
                architectureJson,
                origin,
                replace);
    }

    /** This request cut at the layer {@code value}. */
    public ImportRequest withCut(String value) {
        return new ImportRequest(
                source,
                name,
                architecture,
                member,
                Optional.of(value),
                inputSize,
                scaling,
                architectureJson,
                origin,
                replace);
    }

    /** This request at the input height and width {@code value}. */
    public ImportRequest withInputSize(int value) {
        return new ImportRequest(
                source,
                name,
                architecture,
                member,
                cutLayer,
                Optional.of(value),
                scaling,
                architectureJson,
                origin,
                replace);
    }

    /** This request with the pixel scaling {@code value}. */
    public ImportRequest withScaling(PixelScaling value) {
        return new ImportRequest(
                source,
                name,
                architecture,
                member,
                cutLayer,
                inputSize,
                Optional.of(value),
                architectureJson,
                origin,
                replace);
    }

    /** This request, replacing a base of the same name or not. */
    public ImportRequest withReplace(boolean value) {
        return new ImportRequest(
                source, name, architecture, member, cutLayer, inputSize, scaling, architectureJson, origin, value);
    }
}
