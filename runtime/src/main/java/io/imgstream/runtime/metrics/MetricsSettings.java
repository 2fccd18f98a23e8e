package io.imgstream.runtime.metrics;

import com.codahale.metrics.MetricRegistry;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The {@code metrics.*} keys shared by the scorer's and the worker's configurations: defined once here, added to each
 * application's {@link ConfigDef}.
 *
 * @param jmxEnabled     whether to register MBeans
 * @param bindAddress    the address the HTTP endpoints listen on
 * @param prometheusPort port of the HTTP endpoints; -1 disables them, 0 picks a free port
 */
public record MetricsSettings(boolean jmxEnabled, String bindAddress, int prometheusPort) {

    public static final String JMX_ENABLED_CONFIG = "metrics.jmx.enabled";
    public static final boolean DEFAULT_JMX_ENABLED = true;
    private static final String JMX_ENABLED_DOC =
            "Whether to register the application's metrics as JMX MBeans (domain io.imgstream).";

    public static final String PROMETHEUS_PORT_CONFIG = "metrics.prometheus.port";
    public static final int DEFAULT_PROMETHEUS_PORT = -1;
    private static final String PROMETHEUS_PORT_DOC = "Port of the HTTP endpoints on metrics.bind.address: "
            + "/metrics (Prometheus), /health (liveness) and /ready (readiness). -1 disables them; 0 picks a free "
            + "port.";

    public static final String BIND_ADDRESS_CONFIG = "metrics.bind.address";
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    private static final String BIND_ADDRESS_DOC = "Address the HTTP endpoints listen on. The loopback default keeps "
            + "them on this machine; in a container set 0.0.0.0 so that probes and Prometheus reach them.";

    /**
     * Adds the {@code metrics.*} keys to a definition.
     *
     * @return {@code def}
     */
    public static ConfigDef define(ConfigDef def) {
        return def.define(JMX_ENABLED_CONFIG, Type.BOOLEAN, DEFAULT_JMX_ENABLED, Importance.LOW, JMX_ENABLED_DOC)
                .define(
                        PROMETHEUS_PORT_CONFIG,
                        Type.INT,
                        DEFAULT_PROMETHEUS_PORT,
                        ConfigDef.Range.between(-1, 65535),
                        Importance.MEDIUM,
                        PROMETHEUS_PORT_DOC)
                .define(
                        BIND_ADDRESS_CONFIG,
                        Type.STRING,
                        DEFAULT_BIND_ADDRESS,
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        BIND_ADDRESS_DOC);
    }

    /** Reads the keys {@link #define} added. */
    public static MetricsSettings from(AbstractConfig config) {
        return new MetricsSettings(
                config.getBoolean(JMX_ENABLED_CONFIG),
                config.getString(BIND_ADDRESS_CONFIG),
                config.getInt(PROMETHEUS_PORT_CONFIG));
    }

    /** Starts the exporters of {@code registry} these settings ask for. */
    public MetricsExporters start(MetricRegistry registry) {
        return MetricsExporters.start(registry, jmxEnabled, bindAddress, prometheusPort);
    }

    /**
     * Starts the exporters of {@code registry} these settings ask for, with {@code histograms} in place of the
     * Dropwizard metrics of the same names on the Prometheus endpoint.
     */
    public MetricsExporters start(MetricRegistry registry, BucketedHistograms histograms) {
        return MetricsExporters.start(registry, histograms, jmxEnabled, bindAddress, prometheusPort);
    }
}
