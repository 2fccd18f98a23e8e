/** How well a classifier does on labeled examples: accuracy, per-class precision and recall, confusion matrix. */
package io.imgstream.model.evaluation;
