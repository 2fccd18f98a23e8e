/** The scorer's metrics (Dropwizard) and their exporters (JMX, Prometheus on 127.0.0.1). */
package io.imgstream.topology.metrics;
