package io.imgstream.training.labels;

import io.imgstream.schemas.avro.LabelFeedback;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the latest label of every image: a later label replaces the earlier one, a tombstone removes it. The image
 * id is the value's, so a record whose key disagrees is still filed under the image it labels.
 */
final class LabelUpsert implements Processor<String, LabelFeedback, Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(LabelUpsert.class);

    private final LabelCounter counter;
    private KeyValueStore<String, LabelFeedback> labels;

    LabelUpsert(LabelCounter counter) {
        this.counter = counter;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        labels = context.getStateStore(LabeledSetTopology.LABELS_STORE);
    }

    @Override
    public void process(Record<String, LabelFeedback> record) {
        LabelFeedback feedback = record.value();
        if (feedback == null) {
            if (record.key() != null) {
                labels.delete(record.key());
            }
            return;
        }
        String imageId = feedback.getImageId().toString();
        String label = feedback.getLabel().toString();
        if (imageId.isBlank() || label.isBlank()) {
            LOG.warn("Skipping feedback with a blank image id or label (key {}): {}", record.key(), feedback);
            counter.refused("blank image id or label");
            return;
        }
        if (!label.strip().equals(label)) {
            feedback.setLabel(label.strip());
        }
        labels.put(imageId, feedback);
        counter.taken();
    }
}
