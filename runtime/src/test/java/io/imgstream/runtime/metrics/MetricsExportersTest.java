package io.imgstream.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class MetricsExportersTest {

    @Test
    void shouldServeTheRegistryToPrometheusOnLoopback() throws Exception {
        MetricRegistry registry = new MetricRegistry();
        registry.counter("imgstream.test.events").inc(3);

        try (MetricsExporters exporters = MetricsExporters.start(registry, false, 0)) {
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

        try (MetricsExporters exporters = MetricsExporters.start(registry, true, -1)) {
            assertThat(exporters.prometheusPort()).isEqualTo(-1);
            assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name))
                    .isTrue();
        }
        assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(name))
                .isFalse();
    }
}
