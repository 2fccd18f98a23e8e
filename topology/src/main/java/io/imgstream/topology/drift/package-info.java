/**
 * Drift: whether the images a model meets still look like the ones it was judged on, from its predictions alone
 * (their confidence and class mix against the version's holdout), before any label says so.
 */
package io.imgstream.topology.drift;
