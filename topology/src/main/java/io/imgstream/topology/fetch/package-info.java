/**
 * The way in: {@link io.imgstream.topology.fetch.ParseProcessor} turns raw input records into image references
 * (or dead letters), and the bounded {@link io.imgstream.topology.fetch.FetchPool} fetches and decodes them off
 * the stream thread.
 */
package io.imgstream.topology.fetch;
