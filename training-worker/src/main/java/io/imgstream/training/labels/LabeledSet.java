package io.imgstream.training.labels;

import io.imgstream.schemas.avro.FeatureVector;
import io.imgstream.schemas.avro.LabelFeedback;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads the labeled set out of the running topology's stores. */
public final class LabeledSet {

    private final KafkaStreams streams;

    /** @param streams a running instance of {@link LabeledSetTopology} */
    public LabeledSet(KafkaStreams streams) {
        this.streams = streams;
    }

    /**
     * Every labeled image, with its features where the store has them.
     *
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the stores are restoring or migrating
     */
    public List<LabeledExample> snapshot() {
        ReadOnlyKeyValueStore<String, LabelFeedback> labels = streams.store(StoreQueryParameters.fromNameAndType(
                LabeledSetTopology.LABELS_STORE, QueryableStoreTypes.keyValueStore()));
        ReadOnlyKeyValueStore<String, FeatureVector> vectors = streams.store(StoreQueryParameters.fromNameAndType(
                LabeledSetTopology.VECTORS_STORE, QueryableStoreTypes.keyValueStore()));
        List<LabeledExample> examples = new ArrayList<>();
        try (KeyValueIterator<String, LabelFeedback> all = labels.all()) {
            while (all.hasNext()) {
                KeyValue<String, LabelFeedback> entry = all.next();
                LabelFeedback feedback = entry.value;
                examples.add(new LabeledExample(
                        entry.key,
                        feedback.getLabel().toString(),
                        feedback.getSplit(),
                        Optional.ofNullable(feedback.getUri()).map(CharSequence::toString),
                        Optional.ofNullable(vectors.get(entry.key)),
                        feedback.getTime()));
            }
        }
        return examples;
    }
}
