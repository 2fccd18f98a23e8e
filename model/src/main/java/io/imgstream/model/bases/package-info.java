/**
 * The base store: pretrained convolutional bases kept on disk by name and id, filled by downloading the Keras
 * applications' weights ({@link io.imgstream.model.bases.WeightsDownload}, checked against Keras's published
 * checksums) or by importing Keras, TF.js, nsfwjs and DL4J files, and loaded again as a {@link
 * io.imgstream.model.base.BaseNetwork} by everything that trains or explains.
 */
package io.imgstream.model.bases;
