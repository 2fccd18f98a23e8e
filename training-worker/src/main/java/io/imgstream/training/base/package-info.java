/** Which convolutional base the worker computes features with, and loading it from the configured weights. */
package io.imgstream.training.base;
