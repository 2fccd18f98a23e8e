package io.imgstream.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class MetricsExportersTest {

    @Test
    void shouldServeTheRegistryToPrometheusOnLoopback() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        registry.counter("imgstream.test.events").inc(3);

        try (MetricsExporters exporters = MetricsExporters.start(registry, false, "127.0.0.1", 0)) {
            assertThat(exporters.prometheusPort()).isPositive();
            String body = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + exporters.prometheusPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();

            assertThat(body).contains("imgstream_test_events 3.0");
        }
    }

    @Test
    void shouldRegisterMBeansWhileRunningAndRemoveThemOnClose() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        registry.meter("imgstream.test.meter").mark();
        ObjectName name = new ObjectName(MetricsExporters.JMX_DOMAIN + ":name=imgstream.test.meter,type=meters");

        try (MetricsExporters exporters = MetricsExporters.start(registry, true, "127.0.0.1", -1)) {
            assertThat(exporters.prometheusPort()).isEqualTo(-1);
            assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name))
                    .isTrue();
        }
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name))
                .isFalse();
    }

    @Test
    void shouldAnswerHealthAtOnceAndReadinessOnceTheApplicationSaysSo() throws Exception {
        AtomicReference<Optional<String>> notReady = new AtomicReference<>(Optional.of("Kafka Streams is REBALANCING"));

        try (MetricsExporters exporters = MetricsExporters.start(new MetricRegistry(), false, "127.0.0.1", 0)) {
            assertThat(get(exporters, MetricsExporters.READY_PATH).statusCode())
                    .as("before the application tells")
                    .isEqualTo(503);
            exporters.readiness(notReady::get);

            assertThat(get(exporters, MetricsExporters.HEALTH_PATH).statusCode())
                    .isEqualTo(200);
            HttpResponse<String> waiting = get(exporters, MetricsExporters.READY_PATH);
            assertThat(waiting.statusCode()).isEqualTo(503);
            assertThat(waiting.body()).contains("REBALANCING");
            notReady.set(Optional.empty());
            assertThat(get(exporters, MetricsExporters.READY_PATH).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldListenOnLoopbackOrEveryInterfaceAsConfigured() throws Exception {
        try (MetricsExporters loopback = MetricsExporters.start(new MetricRegistry(), false, "127.0.0.1", 0);
                MetricsExporters everywhere = MetricsExporters.start(new MetricRegistry(), false, "0.0.0.0", 0)) {
            assertThat(loopback.address().orElseThrow().getAddress().isLoopbackAddress())
                    .isTrue();
            assertThat(everywhere.address().orElseThrow().getAddress().isAnyLocalAddress())
                    .isTrue();
            assertThat(get(everywhere, MetricsExporters.HEALTH_PATH).statusCode())
                    .isEqualTo(200);
        }
    }

    private static HttpResponse<String> get(MetricsExporters exporters, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporters.prometheusPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
