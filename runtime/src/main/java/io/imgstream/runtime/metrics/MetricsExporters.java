package io.imgstream.runtime.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * Publishes a metric registry over JMX (domain {@value #JMX_DOMAIN}) and, when a port is given, as a
 * Prometheus text endpoint at {@code http://127.0.0.1:<port>/metrics}. Loopback only: exposing it wider is
 * a deployment decision (a sidecar or port-forward), not a default.
 */
public final class MetricsExporters implements AutoCloseable {

    /** JMX domain of the scorer's MBeans. */
    public static final String JMX_DOMAIN = "io.imgstream";

    private static final String LOOPBACK = "127.0.0.1";

    private final JmxReporter jmx;
    private final HTTPServer prometheus;

    private MetricsExporters(JmxReporter jmx, HTTPServer prometheus) {
        this.jmx = jmx;
        this.prometheus = prometheus;
    }

    /**
     * Starts the exporters.
     *
     * @param jmxEnabled     whether to register MBeans
     * @param prometheusPort port of the Prometheus endpoint on 127.0.0.1; 0 picks a free one, negative disables it
     * @throws UncheckedIOException if the port can't be bound
     */
    public static MetricsExporters start(MetricRegistry registry, boolean jmxEnabled, int prometheusPort) {
        JmxReporter jmx = null;
        if (jmxEnabled) {
            jmx = JmxReporter.forRegistry(registry).inDomain(JMX_DOMAIN).build();
            jmx.start();
        }
        HTTPServer prometheus = null;
        if (prometheusPort >= 0) {
            CollectorRegistry collectors = new CollectorRegistry();
            collectors.register(new DropwizardExports(registry));
            try {
                prometheus = new HTTPServer.Builder()
                        .withInetSocketAddress(new InetSocketAddress(LOOPBACK, prometheusPort))
                        .withRegistry(collectors)
                        .withDaemonThreads(true)
                        .build();
            } catch (IOException e) {
                if (jmx != null) {
                    jmx.stop();
                }
                throw new UncheckedIOException(
                        "cannot serve Prometheus metrics on " + LOOPBACK + ":" + prometheusPort + " (" + e.getMessage()
                                + "); choose another metrics.prometheus.port",
                        e);
            }
        }
        return new MetricsExporters(jmx, prometheus);
    }

    /** The Prometheus endpoint's port, or -1 when disabled. */
    public int prometheusPort() {
        return prometheus == null ? -1 : prometheus.getPort();
    }

    @Override
    public void close() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (jmx != null) {
            jmx.stop();
        }
    }
}
