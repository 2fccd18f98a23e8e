/**
 * The scoring application: {@link io.imgstream.topology.ScoringTopology} wires the Kafka Streams topology,
 * {@link io.imgstream.topology.ScorerConfig} declares its configuration and
 * {@link io.imgstream.topology.ScorerApp} runs it.
 */
package io.imgstream.topology;
