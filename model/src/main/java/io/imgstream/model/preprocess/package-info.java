/**
 * From decoded images to network input: {@link io.imgstream.model.preprocess.Preprocessing} turns
 * {@link java.awt.image.BufferedImage}s (decoded by the {@code images} module) into a float NCHW batch.
 *
 * <p>Training and scoring both go through {@code Preprocessing}, and the record is stored in every
 * model bundle, so the two can't disagree on size, channel order or scaling.
 */
package io.imgstream.model.preprocess;
