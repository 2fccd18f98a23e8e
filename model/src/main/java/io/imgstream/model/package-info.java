/**
 * Everything DL4J in imgstream: decoding and preprocessing images
 * ({@link io.imgstream.model.preprocess}), versioned model bundles and their store
 * ({@link io.imgstream.model.bundle}), training ({@link io.imgstream.model.training}) and the
 * self-contained demo model ({@link io.imgstream.model.demo}).
 *
 * <p>Dependencies point one way: {@code demo} uses {@code training} and {@code bundle}, which
 * use {@code preprocess}; nothing points back ({@code ModelPackageDependenciesTest} checks it).
 */
package io.imgstream.model;
