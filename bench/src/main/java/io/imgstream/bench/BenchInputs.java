package io.imgstream.bench;

import io.imgstream.model.base.VggBase;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.head.HeadBuilder;
import io.imgstream.model.head.HeadConfig;
import io.imgstream.model.preprocess.PixelScaling;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.preprocess.ResizePolicy;
import io.imgstream.model.training.FineTuneConfig;
import io.imgstream.model.training.FineTuner;
import io.imgstream.model.training.SmallCnn;
import io.imgstream.schemas.ImageRefs;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.stack.TopicProvisioner;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** What the scoring benchmarks score: bundles with random weights, PNG noise images, fresh topics. */
final class BenchInputs {

    /** Model name of the benchmark bundles. */
    static final String MODEL_NAME = "bench-score";

    private static final String SMALL_BASE_MODEL_ID = "bench-small-cnn";
    private static final String VGG_UNFROZEN_FROM = "block5_conv1";
    private static final int CHANNELS = 3;
    private static final int CLASSES = 10;
    private static final int DISTINCT_IMAGES = 64;
    private static final long SEED = 1234;
    private static final SmallCnn.Config SMALL_NETWORK = new SmallCnn.Config(32, 5, 64, 3, 2, 128, 0.5, 1e-3, 0);

    private BenchInputs() {}

    /** Version {@code version} of the benchmark model: {@code network} with random weights at {@code side} pixels. */
    static ModelBundle bundle(int version, ScoreBenchmark.Network network, int side) {
        Preprocessing preprocessing;
        ComputationGraph graph;
        String baseModelId;
        if (network == ScoreBenchmark.Network.VGG16) {
            VggBase vgg = VggBase.random(VggBase.Variant.VGG16, side, side, SEED);
            preprocessing = vgg.preprocessing();
            baseModelId = vgg.id().toString();
            graph = new FineTuner(FineTuneConfig.defaults())
                    .assemble(
                            vgg,
                            HeadBuilder.build(vgg.featureShape(), CLASSES, HeadConfig.defaults(), SEED + version),
                            new FineTuner.FromLayer(VGG_UNFROZEN_FROM));
        } else {
            preprocessing = new Preprocessing(side, side, CHANNELS, PixelScaling.UNIT, ResizePolicy.SQUASH);
            baseModelId = SMALL_BASE_MODEL_ID;
            graph = SmallCnn.build(CHANNELS, side, side, CLASSES, SEED + version, SMALL_NETWORK);
        }
        BundleManifest manifest = BundleManifest.create(
                MODEL_NAME,
                version,
                classNames(),
                baseModelId,
                preprocessing,
                Instant.now(),
                Map.of(),
                version == 1 ? null : version - 1);
        // A VGG model names its bottleneck, so the pipeline also writes features, as it would in production.
        return ModelBundle.of(
                network == ScoreBenchmark.Network.VGG16 ? manifest.withBottleneckLayer(VggBase.BOTTLENECK) : manifest,
                graph);
    }

    /** Real PNG files of coloured noise at the network's input size, so decoding costs what it would. */
    static List<Path> writeImages(Path dir, int side) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(SEED);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < DISTINCT_IMAGES; i++) {
            BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    image.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            Path file = dir.resolve(String.format("noise-%03d.png", i));
            ImageIO.write(image, "png", file.toFile());
            files.add(file);
        }
        return files;
    }

    /** A reference to one of {@code files}, with an id unique to {@code run} and {@code index}. */
    static ImageRef ref(List<Path> files, int index, String run) throws IOException {
        ImageRef ref = ImageRefs.of(files.get(index % files.size()), false, "imgstream-bench", Instant.now());
        return ImageRef.newBuilder(ref)
                .setId(run + "-" + index + "-" + ref.getId())
                .build();
    }

    /** Every topic under a fresh name of its own, so runs on a long-lived stack stay apart. */
    static TopicCatalog freshTopics(String bootstrapServers, int partitions) {
        TopicCatalog topics =
                TopicCatalog.withSuffix("-bench-" + UUID.randomUUID().toString().substring(0, 8));
        try (Admin admin = Admin.create(clientProperties(bootstrapServers))) {
            TopicProvisioner.createAll(admin, topics, partitions, (short) 1, Duration.ofSeconds(30));
        }
        return topics;
    }

    /** Client settings for the broker at {@code bootstrapServers}. */
    static Properties clientProperties(String bootstrapServers) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /**
     * Images per second from the predictions' scored times. A batch's scored time marks its end, so the images of
     * the first batch are left out: the rate is that of the images scored after it.
     */
    static double steadyRate(Collection<Prediction> predictions) {
        long first = predictions.stream()
                .mapToLong(p -> p.getScoredTime().toEpochMilli())
                .min()
                .orElseThrow();
        long last = predictions.stream()
                .mapToLong(p -> p.getScoredTime().toEpochMilli())
                .max()
                .orElseThrow();
        long firstBatch = predictions.stream()
                .filter(p -> p.getScoredTime().toEpochMilli() == first)
                .count();
        return (predictions.size() - firstBatch) / Math.max(1e-3, (last - first) / 1000.0);
    }

    private static List<String> classNames() {
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < CLASSES; i++) {
            classes.add("class-" + i);
        }
        return classes;
    }
}
