/**
 * The model-versions protocol, in one place: the keys of the compacted control topic
 * ({@link io.imgstream.control.ModelVersionKeys}), the announcement records and how they are written
 * ({@link io.imgstream.control.ModelAnnouncements}, {@link io.imgstream.control.ControlTopic}), their Ed25519
 * signatures ({@link io.imgstream.control.AnnouncementSignature}, {@link io.imgstream.control.SigningAnnouncer}), how a
 * reader folds the topic into current and shadow versions ({@link io.imgstream.control.ModelVersionLog}), and the
 * rollback policy ({@link io.imgstream.control.Rollback}). The training worker and the CLI write through it; every
 * scorer reads through it.
 */
package io.imgstream.control;
