/**
 * Model bundles and where they are kept.
 *
 * <p>A {@link io.imgstream.model.bundle.ModelBundle} is one zip file: a {@link
 * io.imgstream.model.bundle.BundleManifest} (class list, base model, preprocessing, metrics,
 * lineage) plus the DL4J network, so that scoring needs nothing else. A {@link
 * io.imgstream.model.bundle.ModelStore} keeps bundles by model name and version and verifies their
 * SHA-256 before deserializing; {@link io.imgstream.model.bundle.FileSystemModelStore} is the
 * default implementation, and the interface leaves room for object storage.
 *
 * <p>Failures are unchecked and specific: {@link io.imgstream.model.bundle.BundleFormatException}
 * (corrupt or inconsistent content), {@link io.imgstream.model.bundle.BundleIntegrityException}
 * (checksum mismatch), {@link io.imgstream.model.bundle.BundleNotFoundException} and {@link
 * io.imgstream.model.bundle.BundleVersionConflictException}.
 */
package io.imgstream.model.bundle;
