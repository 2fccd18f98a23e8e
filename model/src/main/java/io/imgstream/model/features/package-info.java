/**
 * Bottleneck features: running a {@link io.imgstream.model.base.BaseNetwork} over images in batches
 * ({@link io.imgstream.model.features.FeatureExtractor}) and caching the per-image vectors under image
 * id + base id ({@link io.imgstream.model.features.FeatureCache}), so a head can be refitted without
 * running the base again.
 */
package io.imgstream.model.features;
