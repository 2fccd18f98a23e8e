/**
 * The control topic: announcements of stored bundles (by the worker, and by {@code imgstream models promote} and
 * {@code rollback}) with the keys of {@link io.imgstream.schemas.ModelVersionKeys}, and version numbering.
 */
package io.imgstream.training.publish;
