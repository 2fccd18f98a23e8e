/**
 * The control topic as the CLI writes and reads it: announcements of stored bundles ({@code models promote},
 * {@code models rollback}) with the keys of {@link io.imgstream.schemas.ModelVersionKeys}.
 */
package io.imgstream.cli.models;
