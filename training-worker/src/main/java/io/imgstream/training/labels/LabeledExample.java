package io.imgstream.training.labels;

import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.schemas.avro.SplitHint;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One image of the labeled set.
 *
 * @param imageId  the image
 * @param label    its latest label
 * @param split    where the labeler wants it
 * @param uri      where the image is, if the label said
 * @param features its features under the worker's base, if known
 * @param labeledAt when the label was given (the label's own time)
 */
public record LabeledExample(
        String imageId,
        String label,
        SplitHint split,
        Optional<String> uri,
        Optional<FeatureVector> features,
        Instant labeledAt) {

    public LabeledExample {
        Objects.requireNonNull(imageId, "imageId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labeledAt, "labeledAt");
    }

    /** This example with features. */
    public LabeledExample withFeatures(FeatureVector vector) {
        return new LabeledExample(imageId, label, split, uri, Optional.of(vector), labeledAt);
    }
}
