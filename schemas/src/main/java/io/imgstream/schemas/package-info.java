/**
 * The wire contract of imgstream: the topic catalog ({@link io.imgstream.schemas.TopicCatalog}), the
 * registry-backed Avro serdes ({@link io.imgstream.schemas.RegistrySerdes}) and registry administration
 * ({@link io.imgstream.schemas.RegistryAdmin}). The generated record classes live in
 * {@code io.imgstream.schemas.avro}; their sources are the {@code .avsc} files under {@code src/main/avro}.
 */
package io.imgstream.schemas;
