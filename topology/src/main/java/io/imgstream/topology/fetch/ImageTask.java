package io.imgstream.topology.fetch;

import io.imgstream.schemas.avro.ImageRef;

/**
 * An image reference that passed parsing, on its way through the topology, with the record value it
 * came from (kept for dead letters).
 *
 * @param ref      the parsed reference
 * @param rawValue the input record's value bytes
 */
public record ImageTask(ImageRef ref, byte[] rawValue) {}
