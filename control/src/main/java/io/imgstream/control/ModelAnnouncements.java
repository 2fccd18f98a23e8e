package io.imgstream.control;

import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.StoredBundle;
import io.imgstream.model.evaluation.ClassificationReport;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.schemas.avro.ClassMetrics;
import io.imgstream.schemas.avro.ModelMetrics;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Builds the {@link ModelVersion} record that announces a stored bundle on the control topic. */
public final class ModelAnnouncements {

    /** The manifest metric reported as the version's accuracy, when the bundle has it. */
    public static final String HOLDOUT_ACCURACY = "holdoutAccuracy";

    private ModelAnnouncements() {}

    /**
     * @param stored   where the bundle is and its sha256, which scorers verify before loading it
     * @param manifest the bundle's manifest: name, version, base, classes, input and metrics are copied from it
     * @param status   what the announcement says about the version
     * @param now      the announcement time
     * @return the record
     * @throws IllegalArgumentException if the manifest is not the stored bundle's
     */
    public static ModelVersion of(StoredBundle stored, BundleManifest manifest, ModelStatus status, Instant now) {
        ModelMetrics metrics = ModelMetrics.newBuilder()
                .setAccuracy(manifest.metrics().get(HOLDOUT_ACCURACY))
                .build();
        return of(stored, manifest, status, now, metrics);
    }

    /**
     * Announces a version with its full holdout evaluation: accuracy, per-class scores and confusion matrix.
     *
     * @param holdout the version's evaluation on the holdout, over the manifest's classes
     * @throws IllegalArgumentException if the manifest is not the stored bundle's, or the evaluation has other classes
     */
    public static ModelVersion of(
            StoredBundle stored,
            BundleManifest manifest,
            ModelStatus status,
            Instant now,
            ClassificationReport holdout) {
        if (!holdout.classes().equals(manifest.classes())) {
            throw new IllegalArgumentException("the evaluation is over classes " + holdout.classes()
                    + " but the bundle's are " + manifest.classes());
        }
        ModelMetrics metrics = ModelMetrics.newBuilder()
                .setAccuracy(holdout.accuracy())
                .setHoldoutSize(holdout.count())
                .setPerClass(classMetrics(holdout))
                .setConfusionMatrix(confusion(holdout))
                .build();
        return of(stored, manifest, status, now, metrics);
    }

    /** The per-class scores of an evaluation as Avro records, in class order. */
    public static List<ClassMetrics> classMetrics(ClassificationReport report) {
        return report.perClass().stream()
                .map(c -> ClassMetrics.newBuilder()
                        .setLabel(c.label())
                        .setPrecision(c.precision())
                        .setRecall(c.recall())
                        .setF1(c.f1())
                        .setSupport(c.support())
                        .build())
                .toList();
    }

    /** The confusion matrix of an evaluation as Avro's nested arrays, rows true classes. */
    public static List<List<Integer>> confusion(ClassificationReport report) {
        return Arrays.stream(report.confusion())
                .map(row -> Arrays.stream(row).boxed().toList())
                .toList();
    }

    private static ModelVersion of(
            StoredBundle stored, BundleManifest manifest, ModelStatus status, Instant now, ModelMetrics metrics) {
        Objects.requireNonNull(status, "status");
        if (!stored.modelName().equals(manifest.modelName()) || stored.version() != manifest.version()) {
            throw new IllegalArgumentException("the manifest is " + manifest.modelName() + " v" + manifest.version()
                    + " but the stored bundle is " + stored.modelName() + " v" + stored.version());
        }
        Preprocessing input = manifest.preprocessing();
        return ModelVersion.newBuilder()
                .setModelName(manifest.modelName())
                .setVersion(manifest.version())
                .setBaseModelId(manifest.baseModelId())
                .setBundleUri(stored.uri().toString())
                .setBundleSha256(stored.sha256())
                .setClasses(new ArrayList<>(manifest.classes()))
                .setInputHeight(input.height())
                .setInputWidth(input.width())
                .setInputChannels(input.channels())
                .setPreprocessing(input.scaling().name())
                .setResizePolicy(input.resize().name())
                .setMetrics(metrics)
                .setParentVersion(manifest.parentVersion())
                .setCreatedTime(now)
                .setStatus(status)
                .build();
    }
}
