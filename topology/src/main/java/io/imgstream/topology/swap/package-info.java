/**
 * Live model swap: the {@link io.imgstream.topology.swap.ModelSlot} the inference thread reads at every batch,
 * and the {@link io.imgstream.topology.swap.ModelVersionWatcher} that follows the {@code model-versions} control
 * topic, loads and verifies new bundles, builds, sizes ({@link io.imgstream.topology.swap.BatchSizing}) and warms
 * up their scorers ({@link io.imgstream.topology.swap.ScorerPreparer}) off the hot path, and installs them.
 */
package io.imgstream.topology.swap;
