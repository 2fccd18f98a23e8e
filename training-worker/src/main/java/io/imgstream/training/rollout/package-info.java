/**
 * The rollout policy: a canary version scores a growing share of the images beside the current version, the worker
 * counts how often each arm's predictions match the labels that arrive, and promotes the canary step by step or
 * rolls it back, recording every decision with its figures on the control topic.
 */
package io.imgstream.training.rollout;
