package io.imgstream.runtime.metrics;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Publishes a metric registry over JMX (domain {@value #JMX_DOMAIN}) and, when a port is given, over HTTP:
 * {@value #METRICS_PATH} in Prometheus' text format (Dropwizard timers and histograms as summaries of this
 * instance's quantiles, except those {@link BucketedHistograms} export as histograms that add up across
 * instances), {@value #HEALTH_PATH} (200 while the process serves; the liveness probe) and {@value #READY_PATH}
 * (200 once the application says it is ready, 503 with the reason before; the readiness probe). The HTTP server
 * binds the address it is given: loopback by default, all interfaces in a container, where probes and Prometheus
 * come from outside.
 *
 * <p>Thread-safe.
 */
public final class MetricsExporters implements AutoCloseable {

    /** JMX domain of the applications' MBeans. */
    public static final String JMX_DOMAIN = "io.imgstream";
    /** Path of the Prometheus text endpoint. */
    public static final String METRICS_PATH = "/metrics";
    /** Path of the liveness endpoint. */
    public static final String HEALTH_PATH = "/health";
    /** Path of the readiness endpoint. */
    public static final String READY_PATH = "/ready";

    private static final int OK = 200;
    private static final int UNAVAILABLE = 503;

    private final JmxReporter jmx;
    private final HTTPServer prometheus;
    private final InetSocketAddress address;
    private volatile Supplier<Optional<String>> notReady = () -> Optional.of("starting");

    private MetricsExporters(JmxReporter jmx) {
        this.jmx = jmx;
        this.prometheus = null;
        this.address = null;
    }

    private MetricsExporters(
            JmxReporter jmx, String bindAddress, int port, MetricRegistry registry, BucketedHistograms histograms) {
        this.jmx = jmx;
        CollectorRegistry collectors = new CollectorRegistry();
        collectors.register(new DropwizardExports(registry, (name, metric) -> !histograms.replaces(name)));
        histograms.registerIn(collectors);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
            server.createContext(HEALTH_PATH, exchange -> respond(exchange, OK, "ok"));
            server.createContext(READY_PATH, exchange -> {
                Optional<String> reason = notReady.get();
                respond(exchange, reason.isPresent() ? UNAVAILABLE : OK, reason.orElse("ready"));
            });
            this.prometheus = new HTTPServer.Builder()
                    .withHttpServer(server)
                    .withRegistry(collectors)
                    .withDaemonThreads(true)
                    .build();
            this.address = server.getAddress();
        } catch (IOException e) {
            if (jmx != null) {
                jmx.stop();
            }
            throw new UncheckedIOException(
                    "cannot serve metrics on " + bindAddress + ":" + port + " (" + e.getMessage()
                            + "); choose another metrics.prometheus.port or metrics.bind.address",
                    e);
        }
    }

    /**
     * Starts the exporters.
     *
     * @param jmxEnabled  whether to register MBeans
     * @param bindAddress the address the HTTP endpoints listen on, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port        port of the HTTP endpoints; 0 picks a free one, negative disables them
     * @throws UncheckedIOException if the address and port can't be bound
     */
    public static MetricsExporters start(MetricRegistry registry, boolean jmxEnabled, String bindAddress, int port) {
        return start(registry, new BucketedHistograms(), jmxEnabled, bindAddress, port);
    }

    /**
     * Starts the exporters, with {@code histograms} in place of the Dropwizard metrics of the same names on the
     * Prometheus endpoint.
     *
     * @param jmxEnabled  whether to register MBeans
     * @param bindAddress the address the HTTP endpoints listen on, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port        port of the HTTP endpoints; 0 picks a free one, negative disables them
     * @throws UncheckedIOException if the address and port can't be bound
     */
    public static MetricsExporters start(
            MetricRegistry registry, BucketedHistograms histograms, boolean jmxEnabled, String bindAddress, int port) {
        JmxReporter jmx = null;
        if (jmxEnabled) {
            jmx = JmxReporter.forRegistry(registry).inDomain(JMX_DOMAIN).build();
            jmx.start();
        }
        return port < 0
                ? new MetricsExporters(jmx)
                : new MetricsExporters(jmx, bindAddress, port, registry, histograms);
    }

    /**
     * Tells {@value #READY_PATH} how to answer from now on.
     *
     * @param notReadyReason why the application is not ready yet, or empty once it is; asked on every request
     */
    public void readiness(Supplier<Optional<String>> notReadyReason) {
        this.notReady = notReadyReason;
    }

    /** Where the HTTP endpoints listen, if they are enabled. */
    public Optional<InetSocketAddress> address() {
        return Optional.ofNullable(address);
    }

    /** The HTTP endpoints' port, or -1 when disabled. */
    public int prometheusPort() {
        return prometheus == null ? -1 : prometheus.getPort();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
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
