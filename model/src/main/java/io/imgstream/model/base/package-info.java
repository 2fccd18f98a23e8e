/**
 * Base networks: pretrained convolutional bases without their classifier top, identified by name and
 * weights hash, each with the preprocessing it expects. {@link io.imgstream.model.base.VggBase} builds
 * VGG16 and VGG19 in DL4J with Keras's layer names; {@link io.imgstream.model.base.ImportedBase} cuts any
 * network a {@link io.imgstream.model.weights.WeightSource} loaded at a named layer.
 */
package io.imgstream.model.base;
