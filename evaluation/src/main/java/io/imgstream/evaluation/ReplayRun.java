package io.imgstream.evaluation;

import io.imgstream.images.ImageLoader;
import io.imgstream.model.bundle.ModelBundle;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicSnapshot;
import io.imgstream.schemas.avro.LabelFeedback;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One replay evaluation from start to end, as {@code imgstream evaluate} runs it: resolve the range, read the
 * labels, replay the range through the versions, write the report and publish its summary. Three steps, so that a
 * caller can say what it is about to do between them.
 *
 * <p>Not thread-safe; one run at a time.
 */
public final class ReplayRun {

    private static final Duration LABELS_READ_TIMEOUT = Duration.ofSeconds(60);

    private final Properties clientProperties;
    private final RegistrySerdes serdes;

    /**
     * What a run replays and where its results go.
     *
     * @param imagesTopic  the topic replayed
     * @param start        where the range starts
     * @param end          where it ends, exclusive
     * @param resultsTopic where the {@code EvalResult} summaries go
     * @param bundles      the versions to score with, one or two
     * @param loader       how images are fetched and decoded, with the run's allow-lists
     * @param reportDirectory the report's directory, given the run id
     */
    public record Request(
            String imagesTopic,
            ReplayBound start,
            ReplayBound end,
            String resultsTopic,
            List<ModelBundle> bundles,
            ImageLoader loader,
            Function<String, Path> reportDirectory) {

        public Request {
            bundles = List.copyOf(bundles);
        }
    }

    /**
     * What a run came to.
     *
     * @param runId  the run's id, the summaries' key
     * @param result the per-version evaluations
     * @param report the report's index file
     */
    public record Outcome(String runId, ReplayEvaluator.Result result, Path report) {}

    /**
     * @param clientProperties brokers and client settings
     * @param serdes           the registry serdes
     */
    public ReplayRun(Properties clientProperties, RegistrySerdes serdes) {
        this.clientProperties = clientProperties;
        this.serdes = serdes;
    }

    /**
     * Resolves a range of a topic to offsets per partition.
     *
     * @throws ReplayException if the range holds no record
     */
    public ReplayPlan plan(String topic, ReplayBound start, ReplayBound end) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(clientProperties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return ReplayPlan.resolve(consumer, topic, start, end);
        }
    }

    /**
     * The latest label of every image on the feedback topic.
     *
     * @throws IllegalArgumentException if the topic does not exist
     */
    public Map<String, String> labels(String feedbackTopic) {
        Map<String, String> labels = new HashMap<>();
        TopicSnapshot.latestByKey(clientProperties, serdes, feedbackTopic, LabelFeedback.class, LABELS_READ_TIMEOUT)
                .values()
                .forEach(feedback -> labels.put(
                        feedback.getImageId().toString(),
                        feedback.getLabel().toString().strip()));
        return labels;
    }

    /**
     * Replays the planned range, writes the report and publishes the summaries.
     *
     * @param progress told of the records replayed so far
     * @throws ReplayException      if the replay stops
     * @throws IOException          if the report can't be written
     * @throws KafkaException       if the summaries can't be published; the report is written by then
     * @throws InterruptedException if interrupted while publishing
     */
    public Outcome run(Request request, ReplayPlan plan, Map<String, String> labels, LongConsumer progress)
            throws IOException, InterruptedException {
        String runId = UUID.randomUUID().toString();
        ReplayEvaluator.Result result = new ReplayEvaluator(clientProperties, serdes, request.loader())
                .run(plan, labels, request.bundles(), progress);
        List<Optional<TrainingCurves>> curves =
                request.bundles().stream().map(ModelBundle::curves).toList();
        Path index = EvaluationReport.write(
                new EvaluationReport.Contents(
                        runId,
                        request.imagesTopic(),
                        request.start().toString(),
                        request.end().toString(),
                        result,
                        curves,
                        labels),
                request.reportDirectory().apply(runId).toAbsolutePath());
        try {
            new EvalResultPublisher(clientProperties, serdes, request.resultsTopic())
                    .publish(runId, request.imagesTopic(), request.start(), request.end(), result, index.toUri());
        } catch (KafkaException e) {
            throw new KafkaException("The report is written (" + index + "), but " + e.getMessage(), e);
        }
        return new Outcome(runId, result, index);
    }
}
