package io.imgstream.schemas;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deserialization exception handler of imgstream's Kafka Streams applications that read typed sources: it skips
 * a record only when {@link FailureVerdict} lays the failure at the record's door, and never for an outage.
 *
 * <ul>
 *   <li>{@link FailureVerdict#RECORD}: another schema, no magic byte, bytes cut short: the record is logged with its
 *   topic, partition and offset, counted, written as a dead letter when the policy names a {@link DeadLetterTopic},
 *   and skipped; it stays in the topic.</li>
 *   <li>{@link FailureVerdict#INFRASTRUCTURE}: the registry could not be reached to look the schema up. The handler
 *   fails the stream thread after a growing pause; the application's uncaught exception handler replaces the thread
 *   ({@code REPLACE_THREAD}), which reads the record again from the last commit, for as long as the outage
 *   lasts.</li>
 *   <li>{@link FailureVerdict#UNCERTAIN}: retried the same way within the record's {@link RecordRetries} budget,
 *   then skipped as the record's fault, so that no record stalls its partition for good.</li>
 * </ul>
 *
 * <p>Kafka Streams builds its handlers itself, one per task and again after a thread is replaced; the budget they
 * share travels in the configuration, put there by {@link #install}.
 */
public final class VerdictDeserializationHandler implements DeserializationExceptionHandler {

    /** The configuration entry holding the {@link Policy} that every handler of one application shares. */
    public static final String POLICY_CONFIG = "imgstream.deserialization.policy";

    private static final Logger LOG = LoggerFactory.getLogger(VerdictDeserializationHandler.class);

    /**
     * What the handlers of one application share.
     *
     * @param retries     the per-record retry budget, outliving the handlers of failed threads
     * @param skipped     told of each record skipped, for the application's metrics
     * @param deadLetters where each skipped record goes as a dead letter; empty: it is only logged and counted
     */
    public record Policy(RecordRetries retries, Runnable skipped, Optional<DeadLetterTopic> deadLetters) {
        public Policy {
            Objects.requireNonNull(retries, "retries");
            Objects.requireNonNull(skipped, "skipped");
            Objects.requireNonNull(deadLetters, "deadLetters");
        }
    }

    private Policy policy;

    /**
     * Makes this handler the deserialization exception handler of the Kafka Streams application configured by
     * {@code props}, replacing any other.
     */
    public static void install(Properties props, Policy policy) {
        props.put(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                VerdictDeserializationHandler.class.getName());
        props.put(POLICY_CONFIG, Objects.requireNonNull(policy, "policy"));
    }

    /** @throws ConfigException if {@value #POLICY_CONFIG} holds no {@link Policy}: see {@link #install} */
    @Override
    public void configure(Map<String, ?> configs) {
        if (!(configs.get(POLICY_CONFIG) instanceof Policy configured)) {
            throw new ConfigException(
                    POLICY_CONFIG,
                    configs.get(POLICY_CONFIG),
                    "must hold the application's VerdictDeserializationHandler.Policy; configure the handler with "
                            + "VerdictDeserializationHandler.install");
        }
        this.policy = configured;
    }

    @Override
    public Response handleError(
            ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        String position = context.topic() + "-" + context.partition() + "@" + context.offset();
        FailureVerdict verdict = FailureVerdict.of(exception);
        RecordRetries retries = policy.retries();
        int attempts = 0;
        if (verdict != FailureVerdict.RECORD) {
            attempts = retries.failed(position);
            if (verdict == FailureVerdict.INFRASTRUCTURE || attempts < retries.maxAttempts()) {
                LOG.warn(
                        "Record {} could not be deserialized ({}, attempt {}): {}; failing the stream thread so that "
                                + "its replacement reads the record again",
                        position,
                        verdict,
                        attempts,
                        exception.toString());
                // The replacement thread reads the same record at once; the pause keeps it from spinning while the
                // registry is away.
                retries.pauseAfter(attempts);
                return Response.fail();
            }
        }
        List<ProducerRecord<byte[], byte[]>> letters;
        int tried = attempts;
        try {
            letters = policy.deadLetters()
                    .map(topic -> List.of(topic.letter(record, exception, tried)))
                    .orElse(List.of());
        } catch (RuntimeException e) {
            if (FailureVerdict.of(e) == FailureVerdict.INFRASTRUCTURE) {
                // A dead letter that can't be written because the registry is away: the record is read again.
                LOG.warn(
                        "Record {} does not deserialize, and its dead letter can't be written ({}); failing the "
                                + "stream thread so that its replacement tries again",
                        position,
                        e.toString());
                retries.pauseAfter(Math.max(1, attempts));
                return Response.fail();
            }
            // Anything else would fail the same way on every attempt: this log line is all the record gets.
            LOG.error("Record {} does not deserialize, and its dead letter can't be written either", position, e);
            letters = List.of();
        }
        retries.settled(position);
        LOG.warn(
                "Skipping record {}: it does not deserialize{} ({}); it stays in the topic{}",
                position,
                attempts == 0 ? "" : " after " + attempts + " attempts",
                exception.toString(),
                letters.isEmpty()
                        ? ""
                        : ", and a dead letter goes to " + letters.get(0).topic());
        policy.skipped().run();
        return Response.resume(letters);
    }
}
