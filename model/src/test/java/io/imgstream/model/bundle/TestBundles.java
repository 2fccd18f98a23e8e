package io.imgstream.model.bundle;

import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.SmallCnn;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small real bundles: a {@link SmallCnn} on 8 x 8 grey input with three classes. */
final class TestBundles {

    static final Preprocessing PREPROCESSING = new Preprocessing(8, 8, 1, PixelScaling.UNIT, ResizePolicy.SQUASH);
    static final List<String> CLASSES = List.of("cat", "dog", "fox");
    static final Instant CREATED_AT = Instant.parse("2024-05-01T12:00:00Z");

    private TestBundles() {}

    static BundleManifest manifest(String name, int version) {
        return BundleManifest.create(
                name,
                version,
                CLASSES,
                "small-cnn-8x8-gray",
                PREPROCESSING,
                CREATED_AT,
                Map.of("holdoutAccuracy", 0.5),
                null);
    }

    static ComputationGraph network(long seed) {
        return SmallCnn.build(1, 8, 8, CLASSES.size(), seed);
    }

    static ModelBundle bundle(String name, int version, long seed) {
        return ModelBundle.of(manifest(name, version), network(seed));
    }

    static INDArray input(int n) {
        Nd4j.getRandom().setSeed(11);
        return Nd4j.rand(DataType.FLOAT, PREPROCESSING.batchShape(n));
    }

    static byte[] bytes(ModelBundle bundle) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        bundle.writeTo(out);
        return out.toByteArray();
    }
}
