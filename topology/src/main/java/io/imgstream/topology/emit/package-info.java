/**
 * Emitting: {@link io.imgstream.topology.emit.BatchEmitter} turns what the batcher hands back (scored batches,
 * refused images) into the scorer's output records, on the stream thread.
 */
package io.imgstream.topology.emit;
