/**
 * {@code imgstream fit}: the transfer-learning recipe run once on a folder-per-class image tree, from a stored base to
 * a bundle in the model store. It trains with the same pieces as the worker's refits: {@link
 * io.imgstream.model.features.FeatureExtractor}, {@link io.imgstream.model.head.HeadTrainer} and {@link
 * io.imgstream.model.training.FineTuner}.
 */
package io.imgstream.training.fit;
