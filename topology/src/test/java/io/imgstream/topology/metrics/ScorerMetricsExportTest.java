package io.imgstream.topology.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.runtime.metrics.MetricsExporters;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** The scorer's metric names as operators see them, through the exporters. */
class ScorerMetricsExportTest {

    private final ScorerMetrics metrics = new ScorerMetrics(
            new MetricRegistry(), () -> new ModelIdentity("pets", 4, List.of("cat", "dog")), Optional::empty);

    @Test
    void shouldServeCountsTimesAndModelVersionToPrometheusOnLoopback() throws Exception {
        metrics.batchScored(8, TimeUnit.MILLISECONDS.toNanos(40));
        for (int i = 0; i < 8; i++) {
            metrics.imageScored(Duration.ofMillis(60));
        }
        metrics.imageFetched(TimeUnit.MILLISECONDS.toNanos(3));
        countDeadLetter(DeadLetterReason.TOO_LARGE);
        countDeadLetter(DeadLetterReason.TOO_LARGE);

        try (MetricsExporters exporters = MetricsExporters.start(metrics.registry(), false, "127.0.0.1", 0)) {
            String body = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + exporters.prometheusPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();

            assertThat(body)
                    .contains("imgstream_scorer_images_scored_total 8.0")
                    .contains("imgstream_scorer_dead_letters_total 2.0")
                    .contains("imgstream_scorer_dead_letters_TOO_LARGE_total 2.0")
                    .contains("imgstream_scorer_model_version 4.0")
                    .contains("imgstream_scorer_shadow_model_version -1.0")
                    .contains("imgstream_scorer_batch_size_count 1.0")
                    .contains("imgstream_scorer_fetch_time_count 1.0")
                    .contains("imgstream_scorer_inference_time{quantile=\"0.5\",} 0.04")
                    .contains("imgstream_scorer_inference_time_per_image_us{quantile=\"0.5\",} 5000.0");
        }
    }

    @Test
    void shouldRegisterMBeansWhileRunningAndRemoveThemOnClose() throws Exception {
        ObjectName name =
                new ObjectName(MetricsExporters.JMX_DOMAIN + ":name=" + ScorerMetrics.IMAGES_SCORED + ",type=meters");
        try (MetricsExporters exporters = MetricsExporters.start(metrics.registry(), true, "127.0.0.1", -1)) {
            assertThat(exporters.prometheusPort()).isEqualTo(-1);
            assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name))
                    .isTrue();
        }
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name))
                .isFalse();
    }

    private void countDeadLetter(DeadLetterReason reason) {
        MockProcessorContext<String, DeadLetter> context = new MockProcessorContext<>();
        DeadLetterCountingProcessor processor = new DeadLetterCountingProcessor(metrics);
        processor.init(context);
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic("images")
                .setSourcePartition(0)
                .setSourceOffset(1L)
                .setStage(DeadLetterStage.FETCH)
                .setReason(reason)
                .setMessage("too big")
                .setTime(Instant.EPOCH)
                .build();

        processor.process(new Record<>("img", letter, 0L));

        assertThat(context.forwarded()).hasSize(1);
    }
}
