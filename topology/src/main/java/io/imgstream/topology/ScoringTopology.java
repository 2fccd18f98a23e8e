package io.imgstream.topology;

import io.imgstream.schemas.RecordRetries;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.topology.batching.BatchingProcessor;
import io.imgstream.topology.batching.BatchingSettings;
import io.imgstream.topology.drift.DriftMonitor;
import io.imgstream.topology.emit.BatchEmitter;
import io.imgstream.topology.fetch.FetchPool;
import io.imgstream.topology.fetch.ParseProcessor;
import io.imgstream.topology.metrics.DeadLetterCountingProcessor;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.InferenceExecutor;
import io.imgstream.topology.scoring.PredictionBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;

/**
 * Wires the scoring topology; the only place that does.
 *
 * <pre>
 *   images (bytes) ─▶ parse ─▶ batch [store: pending-images] ─▶ predictions-sink        ─▶ predictions
 *                       │        │                            ├▶ shadow-sink             ─▶ predictions-shadow
 *                       │        │                            ├▶ label-requests-sink     ─▶ labeling-requests
 *                       │        │                            └▶ features-sink           ─▶ features
 *                       └────────┴─▶ dead-letter (counted by reason) ─▶ dead-letter-sink ─▶ images-dlq
 * </pre>
 *
 * <p>The input is read as raw bytes and parsed in {@code parse}, so a record in the wrong format becomes a
 * dead letter with its original bytes instead of a deserialization failure of the whole task. The batcher
 * fetches, decodes and scores off the stream thread (see {@link BatchingProcessor}); its {@link BatchEmitter}
 * writes every output of the batch node.
 */
public final class ScoringTopology {

    public static final String SOURCE_NODE = "images";
    public static final String PARSE_NODE = "parse";
    public static final String BATCH_NODE = "batch";
    public static final String PREDICTIONS_SINK_NODE = "predictions-sink";
    public static final String SHADOW_SINK_NODE = "shadow-sink";
    public static final String LABEL_REQUESTS_SINK_NODE = "label-requests-sink";
    public static final String FEATURES_SINK_NODE = "features-sink";
    public static final String DEAD_LETTER_NODE = "dead-letter";
    public static final String DEAD_LETTER_SINK_NODE = "dead-letter-sink";

    private ScoringTopology() {}

    /**
     * Builds the topology for {@code config}.
     *
     * @param imageRefs reads the input's {@link ImageRef}s (the registry's, in production)
     * @param records   writes every output record (the registry's, in production)
     * @param batching  batch size (resolved) and timing
     * @param fetchPool where images are fetched and decoded
     * @param inference where batches are scored
     * @param drift     watches the primary model's predictions for drift
     * @param metrics   where the processors count and time their work
     */
    public static Topology build(
            ScorerConfig config,
            Deserializer<ImageRef> imageRefs,
            Serializer<SpecificRecord> records,
            BatchingSettings batching,
            FetchPool fetchPool,
            InferenceExecutor inference,
            DriftMonitor drift,
            ScorerMetrics metrics) {
        TopicCatalog topics = config.topics();
        // One budget for every task of this application: a failed task's record comes back to its replacement.
        RecordRetries retries = RecordRetries.defaults();
        BatchEmitter emitter = new BatchEmitter(
                new PredictionBuilder(config.topK()),
                config.labeling(),
                drift,
                metrics,
                retries,
                new BatchEmitter.Outputs(
                        PREDICTIONS_SINK_NODE,
                        SHADOW_SINK_NODE,
                        LABEL_REQUESTS_SINK_NODE,
                        config.featuresEnabled() ? FEATURES_SINK_NODE : null,
                        DEAD_LETTER_NODE));
        Topology topology = new Topology();
        topology.addSource(
                SOURCE_NODE,
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                topics.name(TopicRole.IMAGES));
        topology.addProcessor(
                PARSE_NODE, () -> new ParseProcessor(imageRefs, retries, BATCH_NODE, DEAD_LETTER_NODE), SOURCE_NODE);
        topology.addProcessor(
                BATCH_NODE, () -> new BatchingProcessor(batching, fetchPool, inference, emitter, metrics), PARSE_NODE);
        topology.addStateStore(BatchingProcessor.storeBuilder(), BATCH_NODE);
        topology.addSink(
                PREDICTIONS_SINK_NODE,
                topics.name(TopicRole.PREDICTIONS),
                Serdes.String().serializer(),
                records,
                BATCH_NODE);
        topology.addSink(
                SHADOW_SINK_NODE,
                topics.name(TopicRole.PREDICTIONS_SHADOW),
                Serdes.String().serializer(),
                records,
                BATCH_NODE);
        topology.addSink(
                LABEL_REQUESTS_SINK_NODE,
                topics.name(TopicRole.LABELING_REQUESTS),
                Serdes.String().serializer(),
                records,
                BATCH_NODE);
        if (config.featuresEnabled()) {
            topology.addSink(
                    FEATURES_SINK_NODE,
                    topics.name(TopicRole.FEATURES),
                    Serdes.String().serializer(),
                    records,
                    BATCH_NODE);
        }
        topology.addProcessor(DEAD_LETTER_NODE, () -> new DeadLetterCountingProcessor(metrics), PARSE_NODE, BATCH_NODE);
        topology.addSink(
                DEAD_LETTER_SINK_NODE,
                topics.name(TopicRole.IMAGES_DLQ),
                Serdes.String().serializer(),
                records,
                DEAD_LETTER_NODE);
        return topology;
    }
}
