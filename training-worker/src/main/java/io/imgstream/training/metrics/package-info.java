/** The training worker's Dropwizard metrics. */
package io.imgstream.training.metrics;
