/**
 * Everything DL4J in imgstream: preprocessing images for a base ({@link io.imgstream.model.preprocess}), base
 * networks and their weights ({@link io.imgstream.model.base}, {@link io.imgstream.model.weights}), bottleneck
 * features, heads, training, augmentation and explanations, versioned model bundles and their store
 * ({@link io.imgstream.model.bundle}), and inference ({@link io.imgstream.model.inference}).
 *
 * <p>Dependencies point one way: {@code training} uses {@code bundle}, which uses {@code preprocess}; nothing
 * points back, and nothing here knows Kafka or another imgstream module ({@code ModelPackageDependenciesTest}
 * checks it).
 */
package io.imgstream.model;
