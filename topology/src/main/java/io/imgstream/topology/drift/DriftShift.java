package io.imgstream.topology.drift;

import java.util.Locale;

/**
 * How far a model's recent predictions have moved from its holdout's.
 *
 * @param window     predictions of the current version the comparison is over
 * @param confidence shift of the confidence distribution (population stability index), NaN when not compared
 * @param classMix   shift of the predicted classes' mix, NaN when not compared
 * @param drifting   whether either shift is above the threshold, on a window and reference large enough
 */
public record DriftShift(long window, double confidence, double classMix, boolean drifting) {

    /** Nothing compared: no reference, or too few predictions yet. */
    public static DriftShift notCompared(long window) {
        return new DriftShift(window, Double.NaN, Double.NaN, false);
    }

    /** One line for a log or a label request's reason. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "drift: confidence shift %.2f, class mix shift %.2f over the last %d predictions",
                confidence,
                classMix,
                window);
    }
}
