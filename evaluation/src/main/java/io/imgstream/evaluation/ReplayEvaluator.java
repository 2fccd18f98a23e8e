package io.imgstream.evaluation;

import io.imgstream.images.ImageLoader;
import io.imgstream.images.decode.TargetSize;
import io.imgstream.images.fetch.FetchException;
import io.imgstream.model.bundle.BundleManifest;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.inference.BundleScorer;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.avro.ImageRef;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Replays a range of the images topic through stored model versions: reads it with its own consumer, assigned to
 * the partitions without a group (no offsets committed, the live scorer's group untouched), fetches and decodes each
 * image once through the scorer's loader, and scores it with every version. Not thread-safe.
 */
public final class ReplayEvaluator {

    private static final int CHUNK = 32;
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration STALL = Duration.ofSeconds(30);

    private final Properties clientProperties;
    private final Deserializer<ImageRef> refs;
    private final ImageLoader loader;

    /**
     * @param clientProperties brokers and client settings
     * @param serdes           the registry serdes
     * @param loader           fetches and decodes images within the configured limits
     */
    public ReplayEvaluator(Properties clientProperties, RegistrySerdes serdes, ImageLoader loader) {
        this.clientProperties = clientProperties;
        this.refs = serdes.valueDeserializer();
        this.loader = loader;
    }

    /**
     * What a replay read and what each version predicted.
     *
     * @param recordsRead  records read in the range
     * @param scored       image ids scored (fetched and decoded)
     * @param skipped      records not scored, counted by reason
     * @param versions     per version, in the order given
     */
    public record Result(
            long recordsRead, List<String> scored, Map<String, Integer> skipped, List<VersionEvaluation> versions) {}

    /**
     * Runs the replay.
     *
     * @param plan     the range
     * @param labels   true class per image id, from {@code feedback}
     * @param bundles  the versions to score with; each is owned by this call and released at its end
     * @param progress told the number of records read so far
     */
    public Result run(ReplayPlan plan, Map<String, String> labels, List<ModelBundle> bundles, LongConsumer progress) {
        List<BundleScorer> scorers = bundles.stream().map(BundleScorer::new).toList();
        List<Map<String, String>> predictions = new ArrayList<>();
        bundles.forEach(b -> predictions.add(new HashMap<>()));
        Map<String, Integer> skipped = new TreeMap<>();
        List<String> scored = new ArrayList<>();
        long read = 0;
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, CHUNK * 4);
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>(plan.ranges().keySet());
            consumer.assign(partitions);
            plan.ranges().forEach((partition, range) -> consumer.seek(partition, range[0]));
            List<ImageRef> pending = new ArrayList<>();
            long lastProgress = System.nanoTime();
            while (!done(consumer, plan)) {
                boolean any = false;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= plan.ranges().get(partition)[1]) {
                        consumer.pause(List.of(partition));
                        continue;
                    }
                    any = true;
                    read++;
                    ImageRef ref = deserialize(record);
                    if (ref == null) {
                        skipped.merge("MALFORMED_RECORD", 1, Integer::sum);
                    } else {
                        pending.add(ref);
                    }
                    if (pending.size() == CHUNK) {
                        score(pending, scorers, predictions, skipped, scored);
                        pending.clear();
                    }
                }
                if (any) {
                    lastProgress = System.nanoTime();
                    progress.accept(read);
                } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                    throw new ReplayException("no record of the range arrived for " + STALL.toSeconds() + " s; is the "
                            + "broker reachable?");
                }
            }
            score(pending, scorers, predictions, skipped, scored);
            progress.accept(read);
        } finally {
            scorers.forEach(BundleScorer::close);
        }
        List<VersionEvaluation> versions = new ArrayList<>();
        for (int i = 0; i < bundles.size(); i++) {
            BundleManifest manifest = bundles.get(i).manifest();
            versions.add(VersionEvaluation.of(
                    manifest.modelName(), manifest.version(), manifest.classes(), predictions.get(i), labels));
        }
        return new Result(read, List.copyOf(scored), Map.copyOf(skipped), versions);
    }

    private static boolean done(KafkaConsumer<String, byte[]> consumer, ReplayPlan plan) {
        for (Map.Entry<TopicPartition, long[]> entry : plan.ranges().entrySet()) {
            if (consumer.position(entry.getKey()) < entry.getValue()[1]) {
                return false;
            }
        }
        return true;
    }

    private ImageRef deserialize(ConsumerRecord<String, byte[]> record) {
        try {
            return record.value() == null ? null : refs.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The size images are decoded for, as a scorer running these versions side by side decodes them: for the
     * largest input among them, so the replay scores what the scorer scored.
     */
    private static TargetSize decodedFor(List<BundleScorer> scorers) {
        int width = 1;
        int height = 1;
        for (BundleScorer scorer : scorers) {
            Preprocessing input = scorer.preprocessing().orElseThrow();
            width = Math.max(width, input.width());
            height = Math.max(height, input.height());
        }
        return new TargetSize(width, height);
    }

    private void score(
            List<ImageRef> refs,
            List<BundleScorer> scorers,
            List<Map<String, String>> predictions,
            Map<String, Integer> skipped,
            List<String> scored) {
        List<String> ids = new ArrayList<>();
        List<BufferedImage> images = new ArrayList<>();
        TargetSize target = decodedFor(scorers);
        for (ImageRef ref : refs) {
            try {
                images.add(loader.load(ref, target).image());
                ids.add(ref.getId());
            } catch (FetchException e) {
                skipped.merge(e.reason().name(), 1, Integer::sum);
            }
        }
        if (images.isEmpty()) {
            return;
        }
        for (int v = 0; v < scorers.size(); v++) {
            List<String> classes = scorers.get(v).model().classes();
            List<float[]> rows = scorers.get(v).score(images);
            for (int i = 0; i < ids.size(); i++) {
                predictions.get(v).put(ids.get(i), classes.get(argmax(rows.get(i))));
            }
        }
        scored.addAll(ids);
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            if (row[c] > row[best]) {
                best = c;
            }
        }
        return best;
    }
}
