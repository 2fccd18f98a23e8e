/**
 * Scoring: the {@link io.imgstream.model.inference.ImageScorer} interface the topology calls, its
 * implementation on a model bundle, and the construction of prediction records.
 */
package io.imgstream.topology.scoring;
