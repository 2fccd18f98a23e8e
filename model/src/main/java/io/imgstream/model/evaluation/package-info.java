/**
 * How well a classifier does: on labeled examples (accuracy, per-class precision and recall, confusion matrix) and
 * while it trains (per-epoch metrics and the learning curves a bundle carries).
 */
package io.imgstream.model.evaluation;
