/**
 * Micro-batching: {@link io.imgstream.topology.batching.BatchingProcessor} buffers parsed references in the
 * changelogged {@code pending-images} store, closes batches on {@code batch.size} or {@code batch.linger.ms}, hands
 * them to the inference thread and, once scored, to the emitter, deleting their images in the same transaction.
 */
package io.imgstream.topology.batching;
