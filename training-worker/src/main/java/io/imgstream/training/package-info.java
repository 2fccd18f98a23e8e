/**
 * The training worker: keeps the labeled set from {@code feedback} and {@code features}, refits the head when
 * enough new labels arrived, evaluates the candidate on a fixed holdout and publishes it on the control topic
 * when it beats the current version.
 */
package io.imgstream.training;
