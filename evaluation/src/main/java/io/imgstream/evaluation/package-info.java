/**
 * Replay evaluation: a range of the {@code images} topic, scored again by stored model versions outside the live
 * scorer, joined with the labels on {@code feedback}, reported as accuracy, per-class scores, confusion matrices and
 * plots, and summarised on {@code eval-results}.
 */
package io.imgstream.evaluation;
