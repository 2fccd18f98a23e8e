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
 * @param prometheusPort port of the Prometheus endpoint; -1 disables it, 0 picks a free port
 */
public record MetricsSettings(boolean jmxEnabled, int prometheusPort) {

    public static final String JMX_ENABLED_CONFIG = "metrics.jmx.enabled";
    public static final boolean DEFAULT_JMX_ENABLED = true;
    private static final String JMX_ENABLED_DOC =
            "Whether to register the application's metrics as JMX MBeans " + "(domain io.imgstream).";

    public static final String PROMETHEUS_PORT_CONFIG = "metrics.prometheus.port";
    public static final int DEFAULT_PROMETHEUS_PORT = -1;
    private static final String PROMETHEUS_PORT_DOC = "Port of the Prometheus endpoint "
            + "http://127.0.0.1:<port>/metrics. -1 disables it; 0 picks a free port.";

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
                        PROMETHEUS_PORT_DOC);
    }

    /** Reads the keys {@link #define} added. */
    public static MetricsSettings from(AbstractConfig config) {
        return new MetricsSettings(config.getBoolean(JMX_ENABLED_CONFIG), config.getInt(PROMETHEUS_PORT_CONFIG));
    }

    /** Starts the exporters of {@code registry} these settings ask for. */
    public MetricsExporters start(MetricRegistry registry) {
        return MetricsExporters.start(registry, jmxEnabled, prometheusPort);
    }
}
