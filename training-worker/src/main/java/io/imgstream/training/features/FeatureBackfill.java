package io.imgstream.training.features;

import io.imgstream.images.ImageLoader;
import io.imgstream.images.decode.TargetSize;
import io.imgstream.model.features.BottleneckFeatures;
import io.imgstream.model.features.FeatureExtractor;
import io.imgstream.model.features.LoadAhead;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.schemas.FeatureVectorKeys;
import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.training.labels.LabeledExample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Computes the features of labeled images that have none yet (labeled before any scorer saw them, or scored by a
 * model on another base), with the same base and preprocessing the bundles use, and writes them to the
 * {@code features} topic so they are computed once. Images are fetched through the scorer's
 * {@link ImageLoader}, with the same scheme, root, host and size limits.
 *
 * <p>Not thread-safe: the extractor reuses its buffers.
 */
public final class FeatureBackfill {

    private final FeatureExtractor extractor;
    private final ExampleImages images;
    private final Producer<String, SpecificRecord> producer;
    private final String featuresTopic;

    /**
     * @param extractor     runs the worker's base
     * @param loader        fetches and decodes images within the configured limits
     * @param producer      writes the computed features
     * @param featuresTopic the {@code features} topic's name
     */
    public FeatureBackfill(
            FeatureExtractor extractor,
            ImageLoader loader,
            Producer<String, SpecificRecord> producer,
            String featuresTopic) {
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        // Decoded for the base's input as the scorers decode them, so both compute the same features.
        Preprocessing input = extractor.base().preprocessing();
        this.images = new ExampleImages(loader, Optional.of(new TargetSize(input.width(), input.height())));
        this.producer = Objects.requireNonNull(producer, "producer");
        this.featuresTopic = Objects.requireNonNull(featuresTopic, "featuresTopic");
    }

    /**
     * Computes missing features.
     *
     * @param missing  examples without features
     * @param refused  told of every example whose image can't be had, with why; it stays out of this refit
     * @return the examples whose features were computed, with them
     * @throws KafkaException if the computed features can't be written
     * @throws RuntimeException if an image can't be fetched because a server is away; the refit is tried later
     */
    public List<LabeledExample> compute(List<LabeledExample> missing, BiConsumer<LabeledExample, String> refused) {
        List<LabeledExample> done = new ArrayList<>();
        // Images load on LoadAhead's thread: their refusals are gathered there and told from this one.
        Map<LabeledExample, String> refusals = new ConcurrentHashMap<>();
        try {
            new LoadAhead(extractor)
                    .run(missing, example -> images.load(example, refusals::put), (example, features) -> {
                        FeatureVector vector = toRecord(example.imageId(), features);
                        producer.send(new ProducerRecord<>(
                                featuresTopic,
                                FeatureVectorKeys.of(
                                        example.imageId(),
                                        vector.getBaseModelId().toString()),
                                vector));
                        done.add(example.withFeatures(vector));
                    });
        } catch (IOException e) {
            // Only an interruption gets here: ExampleImages reports what it can't read as refusals.
            throw new UncheckedIOException(e);
        }
        missing.stream()
                .filter(refusals::containsKey)
                .forEach(example -> refused.accept(example, refusals.get(example)));
        producer.flush();
        return done;
    }

    private FeatureVector toRecord(String imageId, BottleneckFeatures features) {
        List<Integer> shape = new ArrayList<>();
        for (long dim : features.shape()) {
            shape.add(Math.toIntExact(dim));
        }
        List<Float> values = new ArrayList<>(features.values().length);
        for (float value : features.values()) {
            values.add(value);
        }
        return FeatureVector.newBuilder()
                .setImageId(imageId)
                .setBaseModelId(extractor.base().id().toString())
                .setShape(shape)
                .setValues(values)
                .setCreatedTime(Instant.now())
                .build();
    }
}
