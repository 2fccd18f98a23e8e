/**
 * From encoded image bytes to network input: {@link io.imgstream.model.preprocess.ImageDecoder}
 * turns bytes into a {@link java.awt.image.BufferedImage} under {@link
 * io.imgstream.model.preprocess.ImageLimits}, and {@link io.imgstream.model.preprocess.Preprocessing}
 * turns images into a float NCHW batch.
 *
 * <p>Training and scoring both go through {@code Preprocessing}, and the record is stored in every
 * model bundle, so the two can't disagree on size, channel order or scaling.
 */
package io.imgstream.model.preprocess;
