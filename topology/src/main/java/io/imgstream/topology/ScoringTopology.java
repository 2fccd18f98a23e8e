package io.imgstream.topology;

import io.imgstream.model.preprocess.ImageDecoder;
import io.imgstream.model.preprocess.ImageLimits;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.topology.fetch.FetchProcessor;
import io.imgstream.topology.fetch.ImageFetcher;
import io.imgstream.topology.fetch.ParseProcessor;
import io.imgstream.topology.metrics.DeadLetterCountingProcessor;
import io.imgstream.topology.metrics.ScorerMetrics;
import io.imgstream.topology.scoring.ImageScorer;
import io.imgstream.topology.scoring.PredictionBuilder;
import io.imgstream.topology.scoring.ScoreProcessor;
import java.util.HashSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;

/**
 * Wires the scoring topology; the only place that does.
 *
 * <pre>
 *   images (bytes) ─▶ parse ─▶ fetch ─▶ score ─▶ predictions
 *                       │        │        │
 *                       └────────┴────────┴─▶ dead-letter (counted by reason) ─▶ images-dlq
 * </pre>
 *
 * <p>The input is read as raw bytes and parsed in {@code parse}, so a record in the wrong format becomes a
 * dead letter with its original bytes instead of a deserialization failure of the whole task.
 */
public final class ScoringTopology {

    public static final String SOURCE_NODE = "images";
    public static final String PARSE_NODE = "parse";
    public static final String FETCH_NODE = "fetch";
    public static final String SCORE_NODE = "score";
    public static final String PREDICTIONS_SINK_NODE = "predictions-sink";
    public static final String DEAD_LETTER_NODE = "dead-letter";
    public static final String DEAD_LETTER_SINK_NODE = "dead-letter-sink";

    private ScoringTopology() {
    }

    /**
     * Builds the topology for {@code config}, scoring with {@code scorer}.
     *
     * @param serdes  serdes bound to the configured registry
     * @param metrics where the processors count and time their work
     */
    public static Topology build(ScorerConfig config, RegistrySerdes serdes, ImageScorer scorer, ScorerMetrics metrics) {
        TopicCatalog topics = config.topics();
        ImageFetcher fetcher = new ImageFetcher(new HashSet<>(config.fetchAllowedSchemes()), config.fetchAllowedRoots(),
                config.fetchMaxBytes());
        ImageDecoder decoder = new ImageDecoder(new ImageLimits(config.fetchMaxBytes(), config.fetchMaxPixels()));
        PredictionBuilder predictions = new PredictionBuilder(config.topK());
        Deserializer<ImageRef> imageRefs = serdes.valueDeserializer();
        Serializer<SpecificRecord> records = serdes.valueSerializer();

        Topology topology = new Topology();
        topology.addSource(SOURCE_NODE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                topics.name(TopicRole.IMAGES));
        topology.addProcessor(PARSE_NODE, () -> new ParseProcessor(imageRefs, FETCH_NODE, DEAD_LETTER_NODE),
                SOURCE_NODE);
        topology.addProcessor(FETCH_NODE, () -> new FetchProcessor(fetcher, decoder, metrics, SCORE_NODE, DEAD_LETTER_NODE),
                PARSE_NODE);
        topology.addProcessor(SCORE_NODE, () -> new ScoreProcessor(scorer, predictions, metrics, PREDICTIONS_SINK_NODE,
                DEAD_LETTER_NODE), FETCH_NODE);
        topology.addSink(PREDICTIONS_SINK_NODE, topics.name(TopicRole.PREDICTIONS), Serdes.String().serializer(), records,
                SCORE_NODE);
        topology.addProcessor(DEAD_LETTER_NODE, () -> new DeadLetterCountingProcessor(metrics),
                PARSE_NODE, FETCH_NODE, SCORE_NODE);
        topology.addSink(DEAD_LETTER_SINK_NODE, topics.name(TopicRole.IMAGES_DLQ), Serdes.String().serializer(), records,
                DEAD_LETTER_NODE);
        return topology;
    }
}
