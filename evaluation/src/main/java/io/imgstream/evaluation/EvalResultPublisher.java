package io.imgstream.evaluation;

import io.imgstream.control.ModelAnnouncements;
import io.imgstream.model.evaluation.ClassificationReport;
import io.imgstream.schemas.RegistrySerdes;
import io.imgstream.schemas.avro.EvalResult;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes the summary of a replay run on the {@code eval-results} topic: one {@link EvalResult} per evaluated
 * version, keyed by the run id, each pointing at the written report.
 */
public final class EvalResultPublisher {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Properties clientProperties;
    private final RegistrySerdes serdes;
    private final String topic;

    /**
     * @param clientProperties brokers and client settings
     * @param serdes           the registry serdes
     * @param topic            where the summaries go
     */
    public EvalResultPublisher(Properties clientProperties, RegistrySerdes serdes, String topic) {
        this.clientProperties = clientProperties;
        this.serdes = serdes;
        this.topic = topic;
    }

    /**
     * Sends one summary per version of {@code result} and waits until the broker has each.
     *
     * @param runId       the run's id, the records' key
     * @param imagesTopic the replayed topic
     * @param start       where the replayed range began
     * @param end         where it ended
     * @param report      where the report was written
     * @throws KafkaException if a summary is not acknowledged within 30 s
     * @throws InterruptedException if interrupted while waiting
     */
    public void publish(
            String runId,
            String imagesTopic,
            ReplayBound start,
            ReplayBound end,
            ReplayEvaluator.Result result,
            URI report)
            throws InterruptedException {
        try (KafkaProducer<String, SpecificRecord> producer =
                new KafkaProducer<>(clientProperties, new StringSerializer(), serdes.valueSerializer())) {
            for (VersionEvaluation version : result.versions()) {
                ClassificationReport scores = version.report();
                EvalResult summary = EvalResult.newBuilder()
                        .setRunId(runId)
                        .setModelName(version.model())
                        .setModelVersion(version.version())
                        .setTopic(imagesTopic)
                        .setRangeFrom(start.toString())
                        .setRangeTo(end.toString())
                        .setImagesScored(result.scored().size())
                        .setImagesLabeled(scores.count())
                        .setAccuracy(scores.count() == 0 ? null : scores.accuracy())
                        .setClasses(new ArrayList<>(scores.classes()))
                        .setPerClass(ModelAnnouncements.classMetrics(scores))
                        .setConfusionMatrix(ModelAnnouncements.confusion(scores))
                        .setReportUri(report.toString())
                        .setCreatedTime(Instant.now())
                        .build();
                producer.send(new ProducerRecord<>(topic, runId, summary))
                        .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            throw new KafkaException("could not send the summary to '" + topic + "': " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException(
                    "the broker did not acknowledge the summary on '" + topic + "' within " + SEND_TIMEOUT.toSeconds()
                            + " s",
                    e);
        }
    }
}
