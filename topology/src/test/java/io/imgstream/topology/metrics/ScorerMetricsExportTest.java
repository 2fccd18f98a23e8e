package io.imgstream.topology.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.codahale.metrics.MetricRegistry;
import io.imgstream.images.ImageLoader;
import io.imgstream.images.decode.ImageDecoder;
import io.imgstream.images.decode.ImageLimits;
import io.imgstream.images.fetch.ImageFetcher;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.runtime.metrics.MetricsExporters;
import io.imgstream.schemas.avro.DeadLetter;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.DeadLetterStage;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.topology.fetch.FetchOutcome;
import io.imgstream.topology.fetch.FetchPool;
import io.imgstream.topology.fetch.ImageTask;
import io.imgstream.topology.fetch.SourceRetries;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
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

        try (MetricsExporters exporters = exporters()) {
            String body = scrape(exporters);

            assertThat(body)
                    .contains("imgstream_scorer_images_scored_total 8.0")
                    .contains("imgstream_scorer_dead_letters_total 2.0")
                    .contains("imgstream_scorer_dead_letters_TOO_LARGE_total 2.0")
                    .contains("imgstream_scorer_model_version 4.0")
                    .contains("imgstream_scorer_shadow_model_version -1.0")
                    .contains("imgstream_scorer_batch_size_count 1.0")
                    .contains("imgstream_scorer_fetch_time_count 1.0")
                    .contains("imgstream_scorer_inference_time_bucket{le=\"0.05\",} 1.0")
                    .contains("imgstream_scorer_inference_time_per_image_us{quantile=\"0.5\",} 5000.0");
        }
    }

    @Test
    void shouldExportLatenciesAndBatchSizesAsHistogramsWhoseBucketsAddUpToTheirCount() throws Exception {
        long[] passMillis = {4, 40, 40, 300, 2_000, 90_000};
        int[] passSizes = {1, 3, 8, 8, 32, 300};
        for (int i = 0; i < passMillis.length; i++) {
            metrics.batchScored(passSizes[i], TimeUnit.MILLISECONDS.toNanos(passMillis[i]));
            metrics.imageScored(Duration.ofMillis(passMillis[i] * 2));
            metrics.queueWaited(Duration.ofMillis(passMillis[i] / 2));
            metrics.imageFetched(TimeUnit.MILLISECONDS.toNanos(passMillis[i] / 4));
        }

        try (MetricsExporters exporters = exporters()) {
            String body = scrape(exporters);

            for (String histogram : List.of(
                    "imgstream_scorer_inference_time",
                    "imgstream_scorer_scoring_latency",
                    "imgstream_scorer_queue_time",
                    "imgstream_scorer_fetch_time",
                    "imgstream_scorer_batch_size")) {
                assertThat(body).contains("# TYPE " + histogram + " histogram");
                assertThat(body).doesNotContain(histogram + "{quantile=");
                List<Double> buckets = samples(body, histogram + "_bucket{");
                assertThat(buckets)
                        .as(histogram + " buckets")
                        .hasSizeGreaterThan(5)
                        .isSorted();
                assertThat(buckets.get(buckets.size() - 1))
                        .as(histogram + " +Inf bucket")
                        .isEqualTo(samples(body, histogram + "_count ").get(0))
                        .isEqualTo(6.0);
                assertThat(body).contains(histogram + "_bucket{le=\"+Inf\",}");
            }
            assertThat(body)
                    .contains("imgstream_scorer_inference_time_bucket{le=\"0.005\",} 1.0")
                    .contains("imgstream_scorer_inference_time_bucket{le=\"0.05\",} 3.0")
                    .contains("imgstream_scorer_inference_time_bucket{le=\"60.0\",} 5.0")
                    .contains("imgstream_scorer_batch_size_bucket{le=\"8.0\",} 4.0")
                    .contains("imgstream_scorer_batch_size_bucket{le=\"256.0\",} 5.0");
            assertThat(samples(body, "imgstream_scorer_batch_size_sum ")).containsExactly(352.0);
            assertThat(samples(body, "imgstream_scorer_inference_time_sum ").get(0))
                    .isCloseTo(92.384, within(1e-9));
        }
    }

    /** The values of the samples whose lines start with {@code prefix}, in the order of the scrape. */
    private static List<Double> samples(String body, String prefix) {
        return body.lines()
                .filter(line -> line.startsWith(prefix))
                .map(line -> Double.valueOf(line.substring(line.lastIndexOf(' ') + 1)))
                .toList();
    }

    private MetricsExporters exporters() {
        return MetricsExporters.start(metrics.registry(), metrics.histograms(), false, "127.0.0.1", 0);
    }

    @Test
    void shouldExportTheDecodedBytesTheFetchPoolHoldsUntilTheyAreReleased() throws Exception {
        ImageLoader inline = new ImageLoader(
                new ImageFetcher(Set.of("inline"), List.of(), 1 << 20),
                new ImageDecoder(new ImageLimits(1 << 20, 1_000_000, Duration.ofSeconds(10))));
        try (FetchPool pool = new FetchPool(inline, 1, 64L << 20, SourceRetries.none(), Optional::empty);
                MetricsExporters exporters = MetricsExporters.start(metrics.registry(), false, "127.0.0.1", 0)) {
            metrics.fetchPoolHolds(pool::heldBytes);
            FetchOutcome outcome = pool.submit(new ImageTask(inlinePng("held", 16, 16), new byte[0]))
                    .result()
                    .get(10, TimeUnit.SECONDS);
            long bytes = ((FetchOutcome.Loaded) outcome).bytes();

            // 16 x 16 pixels of 3 or 4 bytes, as the decoder lays them out.
            assertThat(bytes).isBetween(16L * 16 * 3, 16L * 16 * 4);
            assertThat(scrape(exporters)).contains("imgstream_scorer_fetch_held_bytes " + bytes + ".0");
            pool.release(bytes);
            assertThat(scrape(exporters)).contains("imgstream_scorer_fetch_held_bytes 0.0");
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

    private static String scrape(MetricsExporters exporters) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + exporters.prometheusPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static ImageRef inlinePng(String id, int width, int height) throws Exception {
        try (ByteArrayOutputStream png = new ByteArrayOutputStream()) {
            ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", png);
            return ImageRef.newBuilder()
                    .setId(id)
                    .setUri("inline:")
                    .setInlineBytes(ByteBuffer.wrap(png.toByteArray()))
                    .setEventTime(Instant.EPOCH)
                    .build();
        }
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
