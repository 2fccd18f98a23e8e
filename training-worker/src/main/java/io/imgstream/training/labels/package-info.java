/**
 * The durable labeled set: the latest label of every image and the bottleneck features of the worker's base, kept
 * in changelogged Kafka Streams stores fed by {@code feedback} and {@code features}.
 */
package io.imgstream.training.labels;
