package io.imgstream.training.labels;

import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.TopicCatalog;
import io.imgstream.schemas.TopicRole;
import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.schemas.avro.LabelFeedback;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the topology that keeps the labeled set.
 *
 * <pre>
 * feedback ──▶ labels-upsert ──▶ [labels]   image id → latest LabelFeedback
 * features ──▶ features-index ──▶ [vectors] image id → FeatureVector of the worker's base
 * </pre>
 *
 * <p>The two stores are not co-partitioned (features are keyed by image and base); the refit reads both whole
 * through interactive queries, so one worker instance must own every partition.
 */
public final class LabeledSetTopology {

    /** Store of the latest label of every image. */
    public static final String LABELS_STORE = "labels";
    /** Store of the features of labeled (and soon labeled) images under the worker's base. */
    public static final String VECTORS_STORE = "vectors";

    private LabeledSetTopology() {}

    /**
     * @param topics      topic names
     * @param serdes      the registry serdes
     * @param baseModelId id of the worker's base: features of other bases are skipped
     * @param labelCounter told of every label taken, for the refit trigger and metrics
     * @return the topology
     */
    public static Topology build(
            TopicCatalog topics, RegistrySerdes serdes, String baseModelId, LabelCounter labelCounter) {
        Serde<String> keys = Serdes.String();
        Serde<LabelFeedback> labels = serdes.valueSerde();
        Serde<FeatureVector> vectors = serdes.valueSerde();
        Topology topology = new Topology();
        // Typed sources: a record of another schema (a producer's mix-up) is skipped like one that doesn't deserialize,
        // instead of failing the stream thread in a cast, again after every replacement.
        topology.addSource(
                        "feedback",
                        keys.deserializer(),
                        serdes.valueDeserializer(LabelFeedback.class),
                        topics.name(TopicRole.FEEDBACK))
                .addProcessor("labels-upsert", () -> new LabelUpsert(labelCounter), "feedback")
                .addStateStore(
                        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(LABELS_STORE), keys, labels),
                        "labels-upsert");
        topology.addSource(
                        "features",
                        keys.deserializer(),
                        serdes.valueDeserializer(FeatureVector.class),
                        topics.name(TopicRole.FEATURES))
                .addProcessor("features-index", () -> new FeatureIndex(baseModelId), "features")
                .addStateStore(
                        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VECTORS_STORE), keys, vectors),
                        "features-index");
        return topology;
    }
}
