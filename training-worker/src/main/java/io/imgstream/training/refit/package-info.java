/**
 * Refits: when to refit, the fixed holdout split, training a warm-started head on the labeled set, evaluating it
 * against the current version, and the gate that decides whether it is published.
 */
package io.imgstream.training.refit;
