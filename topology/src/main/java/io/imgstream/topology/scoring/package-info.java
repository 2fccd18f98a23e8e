/**
 * Scoring: the images of a batch on their way through the forward pass
 * ({@link io.imgstream.topology.scoring.PendingImage} → {@link io.imgstream.topology.scoring.BatchImage} →
 * {@link io.imgstream.topology.scoring.ScoredImage}), the inference thread that scores them, and the construction
 * of prediction records and label requests.
 */
package io.imgstream.topology.scoring;
