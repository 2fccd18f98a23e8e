/**
 * Untrusted image references in, decoded images or typed refusals out. {@link io.imgstream.images.ImageLoader}
 * is the one entry point: the scorer, the training worker's feature backfill and replay evaluation all load
 * images through it, so the same allow-lists and limits hold everywhere. Each refusal is a
 * {@link io.imgstream.images.fetch.FetchException} carrying the dead-letter stage and reason.
 */
package io.imgstream.images;
