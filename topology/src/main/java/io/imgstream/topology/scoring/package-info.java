/**
 * Scoring: the {@link io.imgstream.topology.scoring.ImageScorer} interface the topology calls, its
 * implementation on a model bundle, and the construction of prediction records.
 */
package io.imgstream.topology.scoring;
