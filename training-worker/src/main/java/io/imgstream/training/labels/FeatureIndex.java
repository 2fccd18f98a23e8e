package io.imgstream.training.labels;

import io.imgstream.schemas.avro.FeatureVector;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Files the features of the worker's base by image id; features of other bases (or other weights) are skipped. */
final class FeatureIndex implements Processor<String, FeatureVector, Void, Void> {

    private final String baseModelId;
    private final String keySuffix;
    private KeyValueStore<String, FeatureVector> vectors;

    FeatureIndex(String baseModelId) {
        this.baseModelId = baseModelId;
        this.keySuffix = "/" + baseModelId;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        vectors = context.getStateStore(LabeledSetTopology.VECTORS_STORE);
    }

    @Override
    public void process(Record<String, FeatureVector> record) {
        FeatureVector vector = record.value();
        if (vector == null) {
            String key = record.key();
            if (key != null && key.endsWith(keySuffix)) {
                vectors.delete(key.substring(0, key.length() - keySuffix.length()));
            }
            return;
        }
        if (baseModelId.equals(vector.getBaseModelId().toString())) {
            vectors.put(vector.getImageId().toString(), vector);
        }
    }
}
