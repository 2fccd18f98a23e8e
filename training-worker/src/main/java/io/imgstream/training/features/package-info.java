/** Computing the features of labeled images the {@code features} topic does not have yet. */
package io.imgstream.training.features;
