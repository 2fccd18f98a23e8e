/**
 * Exporting an application's Dropwizard metrics: JMX and a Prometheus endpoint, with the {@code metrics.*} keys
 * every imgstream application shares ({@link io.imgstream.runtime.metrics.MetricsSettings}).
 */
package io.imgstream.runtime.metrics;
