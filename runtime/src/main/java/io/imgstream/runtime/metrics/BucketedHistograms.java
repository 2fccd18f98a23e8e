package io.imgstream.runtime.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Histogram;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleConsumer;

/**
 * Distributions exported to Prometheus as histograms with fixed buckets ({@code _bucket{le=...}}, {@code _sum},
 * {@code _count}) instead of the per-instance quantiles Dropwizard's timers and histograms become: bucket counts of
 * several instances add up, so a query can take the quantiles of the whole deployment ({@code
 * histogram_quantile(0.99, sum by (le) (rate(..._bucket[5m])))}), which averaging quantiles can't.
 *
 * <p>Each histogram is named after a Dropwizard metric of the application's registry, and replaces that metric on
 * the Prometheus endpoint ({@link MetricsExporters}); JMX keeps the Dropwizard metric.
 *
 * <p>Thread-safe.
 */
public final class BucketedHistograms {

    /** Upper bounds of latency buckets, in seconds: 1 ms to 60 s. */
    public static final double[] LATENCY_SECONDS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
    };
    /** Upper bounds of batch size buckets, in images: powers of two to 256. */
    public static final double[] BATCH_SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private final Map<String, Histogram> byName = new ConcurrentHashMap<>();

    /**
     * Defines a histogram.
     *
     * @param dropwizardName the name of the Dropwizard metric it replaces on the Prometheus endpoint
     * @param help           what it measures, with its unit
     * @param upperBounds    the buckets' upper bounds, increasing ({@code +Inf} is added)
     * @return where observations go
     * @throws IllegalArgumentException if a histogram of that name exists, or the bounds do not increase
     */
    public DoubleConsumer define(String dropwizardName, String help, double... upperBounds) {
        Objects.requireNonNull(dropwizardName, "dropwizardName");
        Histogram histogram = Histogram.build()
                .name(Collector.sanitizeMetricName(dropwizardName))
                .help(help)
                .buckets(upperBounds)
                .create();
        if (byName.putIfAbsent(dropwizardName, histogram) != null) {
            throw new IllegalArgumentException("histogram " + dropwizardName + " is already defined");
        }
        return histogram::observe;
    }

    /** Whether {@code dropwizardName} is exported as one of these histograms instead. */
    boolean replaces(String dropwizardName) {
        return byName.containsKey(dropwizardName);
    }

    /** Adds every histogram to {@code registry}. */
    void registerIn(CollectorRegistry registry) {
        byName.values().forEach(registry::register);
    }
}
