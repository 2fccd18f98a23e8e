package io.imgstream.topology.scoring;

import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scores images with the network of a {@link ModelBundle}, preprocessing them exactly as the bundle's
 * manifest records (the same code path its training used). Not thread-safe.
 */
public final class BundleScorer implements ImageScorer {

    private final ModelBundle bundle;
    private final ModelIdentity model;

    public BundleScorer(ModelBundle bundle) {
        this.bundle = bundle;
        BundleManifest manifest = bundle.manifest();
        this.model = new ModelIdentity(manifest.modelName(), manifest.version(), manifest.classes());
    }

    @Override
    public ModelIdentity model() {
        return model;
    }

    @Override
    public List<float[]> score(List<BufferedImage> images) {
        if (images.isEmpty()) {
            return List.of();
        }
        INDArray batch = bundle.manifest().preprocessing().toBatch(images);
        try {
            float[][] probabilities = bundle.predict(batch);
            List<float[]> rows = new ArrayList<>(probabilities.length);
            for (float[] row : probabilities) {
                rows.add(row);
            }
            return rows;
        } finally {
            batch.close();
        }
    }

    @Override
    public void close() {
        bundle.network().clear();
    }
}
