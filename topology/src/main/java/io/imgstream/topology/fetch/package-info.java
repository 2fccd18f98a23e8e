/**
 * Fetching and decoding untrusted image references: scheme and root allow-lists, byte and pixel caps,
 * and the typed failures that become dead letters.
 */
package io.imgstream.topology.fetch;
