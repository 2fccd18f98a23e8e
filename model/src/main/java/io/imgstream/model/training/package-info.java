/**
 * Training image classifiers on labelled images: reading and writing idx data sets ({@link
 * io.imgstream.model.training.IdxImages}), a small convolutional network ({@link
 * io.imgstream.model.training.SmallCnn}) and a trainer that records learning curves ({@link
 * io.imgstream.model.training.ClassifierTrainer}).
 *
 * <p>Every image goes through {@link io.imgstream.model.preprocess.Preprocessing}, the same code
 * that scoring uses.
 */
package io.imgstream.model.training;
