package io.imgstream.topology.metrics;

import io.imgstream.schemas.avro.DeadLetter;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Counts every dead letter by reason on its way to the dead-letter sink, so the count is taken in one place
 * whichever stage refused the input.
 */
public final class DeadLetterCountingProcessor implements Processor<String, DeadLetter, String, DeadLetter> {

    private final ScorerMetrics metrics;
    private ProcessorContext<String, DeadLetter> context;

    public DeadLetterCountingProcessor(ScorerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, DeadLetter> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, DeadLetter> record) {
        metrics.deadLettered(record.value().getReason());
        context.forward(record);
    }
}
