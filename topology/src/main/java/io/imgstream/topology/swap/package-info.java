/**
 * Live model swap: the {@link io.imgstream.topology.swap.ModelSlot} the inference thread reads at every batch,
 * and the {@link io.imgstream.topology.swap.ModelVersionWatcher} that follows the {@code model-versions} control
 * topic, loads and verifies new bundles off the hot path, and installs them.
 */
package io.imgstream.topology.swap;
