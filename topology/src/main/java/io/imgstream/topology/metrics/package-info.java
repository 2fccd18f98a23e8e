/** The scorer's metrics (Dropwizard); exported by {@link io.imgstream.runtime.metrics.MetricsExporters}. */
package io.imgstream.topology.metrics;
