package io.imgstream.control;

import io.imgstream.schemas.avro.ModelMetrics;
import io.imgstream.schemas.avro.ModelStatus;
import io.imgstream.schemas.avro.ModelVersion;
import java.time.Instant;
import java.util.List;

/** A complete, valid announcement for tests that care about one or two of its fields. */
final class SampleVersions {

    private SampleVersions() {}

    /** A PROMOTED version of a 16x16 grey two-class model, in the store layout. */
    static ModelVersion promoted(String model, int version) {
        return ModelVersion.newBuilder()
                .setModelName(model)
                .setVersion(version)
                .setBaseModelId("small")
                .setBundleUri("file:///models/" + model + "/v" + version + "/bundle.zip")
                .setBundleSha256("0".repeat(64))
                .setClasses(List.of("a", "b"))
                .setInputHeight(16)
                .setInputWidth(16)
                .setInputChannels(1)
                .setPreprocessing("UNIT")
                .setResizePolicy("SQUASH")
                .setMetrics(ModelMetrics.newBuilder().build())
                .setCreatedTime(Instant.now())
                .setStatus(ModelStatus.PROMOTED)
                .build();
    }
}
