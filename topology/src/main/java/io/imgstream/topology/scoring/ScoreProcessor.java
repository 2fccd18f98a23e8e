package io.imgstream.topology.scoring;

import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.LatencyBreakdown;
import io.imgstream.schemas.avro.Prediction;
import io.imgstream.topology.deadletter.DeadLetters;
import io.imgstream.topology.deadletter.DeadLetters.Failure;
import io.imgstream.topology.fetch.DecodedImage;
import io.imgstream.topology.metrics.ScorerMetrics;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Scores each decoded image with the current {@link ImageScorer} and forwards a {@link Prediction} to
 * {@code nextNode}. An image the model fails on is dead-lettered with the model version, so it can be
 * replayed once the model is fixed.
 *
 * <p>The batch id is derived from the input position ({@code topic-partition@offset}), so a record
 * re-processed after a crash gets the same id.
 */
public final class ScoreProcessor implements Processor<String, DecodedImage, String, Object> {

    private final ImageScorer scorer;
    private final PredictionBuilder predictions;
    private final ScorerMetrics metrics;
    private final String nextNode;
    private final String deadLetterNode;
    private ProcessorContext<String, Object> context;

    public ScoreProcessor(ImageScorer scorer, PredictionBuilder predictions, ScorerMetrics metrics, String nextNode,
                          String deadLetterNode) {
        this.scorer = scorer;
        this.predictions = predictions;
        this.metrics = metrics;
        this.nextNode = nextNode;
        this.deadLetterNode = deadLetterNode;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, DecodedImage> record) {
        DecodedImage decoded = record.value();
        ModelIdentity model = scorer.model();
        RecordMetadata source = context.recordMetadata().orElse(null);
        try {
            long started = System.nanoTime();
            float[] probabilities = scorer.score(List.of(decoded.image())).get(0);
            long inferenceNanos = System.nanoTime() - started;
            double inferenceMs = inferenceNanos / 1e6;
            LatencyBreakdown latency = new LatencyBreakdown(decoded.fetchMs(), 0.0, inferenceMs);
            Prediction prediction = predictions.build(decoded.task().ref(), model, probabilities, batchId(source), 1,
                    latency, Instant.ofEpochMilli(context.currentSystemTimeMs()));
            context.forward(record.withValue(prediction), nextNode);
            metrics.batchScored(1, inferenceNanos);
        } catch (RuntimeException e) {
            Failure failure = new Failure(DeadLetterStage.SCORE, DeadLetterReason.SCORING_FAILED,
                    "image " + decoded.task().ref().getId() + ": model " + model.name() + " v" + model.version()
                            + " failed to score it: " + e, e.getClass().getName(), model.name(), model.version());
            Object letter = DeadLetters.of(decoded.task().ref().getId(), decoded.task().ref().getUri(),
                    decoded.task().rawValue(), source, failure, Instant.ofEpochMilli(context.currentSystemTimeMs()));
            context.forward(record.withValue(letter), deadLetterNode);
        }
    }

    private static String batchId(RecordMetadata source) {
        return source == null ? "unknown" : source.topic() + "-" + source.partition() + "@" + source.offset();
    }
}
