package io.imgstream.it;

import io.imgstream.demo.DemoImage;
import io.imgstream.demo.DemoModel;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.LabelFeedback;
import io.imgstream.schemas.avro.SplitHint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The valid inputs a fuzzer starts from, serialized as the registry serializer writes them: image references to
 * real images (the demo images and the bad-input corpus's valid ones), inline or as files; labels of those images;
 * feature vectors of the worker's base.
 */
final class FuzzSeeds {

    private static final List<String> CORPUS_IMAGES = List.of("cmyk.jpg", "gray16.png", "animated.gif");

    private final Serializer<SpecificRecord> serializer;
    private final TopicCatalog topics;
    private final List<Path> images;
    private final List<String> labels;
    private final String baseId;
    private final List<Integer> featureShape;
    private final Random random;
    private final Map<Schema, Integer> schemaIds = new HashMap<>();

    /**
     * @param images       valid image files
     * @param labels       each image's label, in the same order
     * @param featureShape the shape of one image's features under the worker's base
     */
    private FuzzSeeds(
            Serializer<SpecificRecord> serializer,
            TopicCatalog topics,
            List<Path> images,
            List<String> labels,
            String baseId,
            long[] featureShape,
            Random random) {
        this.serializer = serializer;
        this.topics = topics;
        this.images = List.copyOf(images);
        this.labels = List.copyOf(labels);
        this.baseId = baseId;
        this.featureShape = Arrays.stream(featureShape).mapToObj(d -> (int) d).toList();
        this.random = random;
    }

    /**
     * Writes the seed images into {@code root} and registers the seeds' schemas (by serializing one of each).
     *
     * @param random the fuzzer's seeded source, for the choices of image and feature values
     */
    static FuzzSeeds create(
            Serializer<SpecificRecord> serializer,
            TopicCatalog topics,
            Path root,
            String baseId,
            long[] featureShape,
            Random random)
            throws IOException {
        List<Path> files = new ArrayList<>(DemoModel.extractDemoImages(root));
        List<String> labels = new ArrayList<>(
                DemoModel.demoImages().stream().map(DemoImage::label).toList());
        for (String name : CORPUS_IMAGES) {
            try (InputStream in = FuzzSeeds.class.getResourceAsStream("/bad-input/" + name)) {
                Path file = root.resolve(name);
                Files.copy(in, file);
                files.add(file);
                labels.add(labels.get(0));
            }
        }
        FuzzSeeds seeds = new FuzzSeeds(serializer, topics, files, labels, baseId, featureShape, random);
        seeds.serialize(TopicRole.IMAGES, seeds.imageRef("schema-id", seeds.image(0), null));
        seeds.serialize(TopicRole.FEEDBACK, seeds.label("schema-id"));
        seeds.serialize(TopicRole.FEATURES, seeds.vector("schema-id"));
        return seeds;
    }

    /** How many seed images there are. */
    int imageCount() {
        return images.size();
    }

    /** The {@code index}th seed image. */
    Path image(int index) {
        return images.get(index);
    }

    /** A reference with id {@code id}: to {@code image} when {@code inlineBytes} is null, else to those bytes. */
    ImageRef imageRef(String id, Path image, byte[] inlineBytes) {
        return ImageRef.newBuilder()
                .setId(id)
                .setUri(inlineBytes != null ? "inline:" : image.toUri().toString())
                .setInlineBytes(inlineBytes == null ? null : ByteBuffer.wrap(inlineBytes))
                .setSource("mutation-fuzz-it")
                .setEventTime(Instant.now())
                .setAttributes(Map.of("fuzz", "seed"))
                .build();
    }

    /** A label for image {@code imageId}: a seed image's file and true class. */
    LabelFeedback label(String imageId) {
        int index = random.nextInt(images.size());
        return LabelFeedback.newBuilder()
                .setImageId(imageId)
                .setUri(images.get(index).toUri().toString())
                .setLabel(labels.get(index))
                .setLabeler("mutation-fuzz-it")
                .setTime(Instant.now())
                .setSplit(SplitHint.values()[random.nextInt(SplitHint.values().length)])
                .build();
    }

    /** Features of image {@code imageId} under the worker's base: the right shape, random values. */
    FeatureVector vector(String imageId) {
        int length = featureShape.stream().reduce(1, (a, b) -> a * b);
        List<Float> values = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            values.add(random.nextFloat());
        }
        return FeatureVector.newBuilder()
                .setImageId(imageId)
                .setBaseModelId(baseId)
                .setShape(featureShape)
                .setValues(values)
                .setCreatedTime(Instant.now())
                .build();
    }

    /**
     * A valid record of another type than the topic of {@code role} carries, with id {@code id}, as a producer that
     * mixed up its topics writes it.
     */
    byte[] misrouted(TopicRole role, String id) {
        return role == TopicRole.FEEDBACK
                ? serialize(TopicRole.IMAGES, imageRef(id, images.get(random.nextInt(images.size())), null))
                : serialize(TopicRole.FEEDBACK, label(id));
    }

    /** The name of the topic of {@code role}. */
    String topic(TopicRole role) {
        return topics.name(role);
    }

    /** {@code record} in the registry's wire format, as the serializer writes it to the topic of {@code role}. */
    byte[] serialize(TopicRole role, SpecificRecord record) {
        byte[] wire = serializer.serialize(topics.name(role), record);
        schemaIds.put(record.getSchema(), ByteBuffer.wrap(wire).getInt(1));
        return wire;
    }

    /** The registered ids of the seeds' schemas other than {@code schema}: what a mislabelled record claims. */
    List<Integer> foreignSchemaIds(Schema schema) {
        return schemaIds.entrySet().stream()
                .filter(e -> !e.getKey().equals(schema))
                .map(Map.Entry::getValue)
                .toList();
    }
}
