package io.imgstream.model.inference;

import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.preprocess.Preprocessing;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * Classifies decoded images with one model version. The topology talks to scoring only through this
 * interface, so batching, model swap and a GPU backend change nothing above it.
 *
 * <p>Implementations need not be thread-safe: the topology calls one instance from one thread at a time.
 */
public interface ImageScorer extends AutoCloseable {

    /**
     * Where bottleneck features come from and what they look like.
     *
     * @param baseModelId the base network's id (name + sha256 of its weights), part of the features' key
     * @param shape       one image's feature shape, channels first
     */
    record FeatureLayout(String baseModelId, List<Integer> shape) {

        public FeatureLayout {
            shape = List.copyOf(shape);
        }
    }

    /**
     * One batch's results.
     *
     * @param probabilities one vector per image, in input order, in the order of {@link ModelIdentity#classes()}
     * @param features      one bottleneck feature vector per image, in input order, or empty when the model
     *                      names no bottleneck ({@link #featureLayout()} is empty)
     */
    record Scores(List<float[]> probabilities, List<float[]> features) {

        public Scores {
            probabilities = List.copyOf(probabilities);
            features = List.copyOf(features);
        }
    }

    /** The model that produces this scorer's probabilities. */
    ModelIdentity model();

    /**
     * Scores a batch in one forward pass.
     *
     * @param images decoded images, any size and colour model; preprocessing is the scorer's job
     * @return one probability vector per image, in input order, each in the order of {@link ModelIdentity#classes()}
     */
    List<float[]> score(List<BufferedImage> images);

    /** The layout of the features {@link #scoreWithFeatures} returns, if this scorer's model has a bottleneck. */
    default Optional<FeatureLayout> featureLayout() {
        return Optional.empty();
    }

    /**
     * How the model's predictions spread on the images it was evaluated on when it was trained: the reference a
     * scorer measures drift against. Empty when nobody recorded it.
     */
    default Optional<PredictionProfile> holdoutProfile() {
        return Optional.empty();
    }

    /**
     * How this scorer turns an image into its network's input, if it says. Images much larger than that input are
     * decoded straight to a few times its size; a scorer that does not say gets every image at its full size.
     */
    default Optional<Preprocessing> preprocessing() {
        return Optional.empty();
    }

    /**
     * Scores a batch and, when the model has a bottleneck, returns each image's features from the same forward
     * pass. The default scores only.
     */
    default Scores scoreWithFeatures(List<BufferedImage> images) {
        return new Scores(score(images), List.of());
    }

    /** Releases the network's memory. */
    @Override
    void close();
}
