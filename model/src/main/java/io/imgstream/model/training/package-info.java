/**
 * Training image classifiers on labelled images: reading and writing idx data sets ({@link
 * io.imgstream.model.training.IdxImages}), a small convolutional network ({@link
 * io.imgstream.model.training.SmallCnn}), a trainer that records learning curves ({@link
 * io.imgstream.model.training.ClassifierTrainer}), fine-tuning a base with its head on augmented
 * images ({@link io.imgstream.model.training.FineTuner}), bases cut from networks trained here
 * ({@link io.imgstream.model.training.TruncatedBase}) and the Fashion-MNIST transfer-learning
 * experiment ({@link io.imgstream.model.training.TransferExperiment}).
 *
 * <p>Every image goes through {@link io.imgstream.model.preprocess.Preprocessing}, the same code
 * that scoring uses.
 */
package io.imgstream.model.training;
