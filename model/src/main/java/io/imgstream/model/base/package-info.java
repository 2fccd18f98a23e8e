/**
 * Base networks: pretrained convolutional bases without their classifier top, identified by name and
 * weights hash, each with the preprocessing it expects.
 */
package io.imgstream.model.base;
