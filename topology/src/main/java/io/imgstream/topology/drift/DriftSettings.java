package io.imgstream.topology.drift;

/**
 * How the scorer watches for drift; validated where the scorer's configuration is defined.
 *
 * @param windowSize       most recent predictions of the current version compared with its holdout
 * @param minPredictions   predictions the window must hold before it is compared
 * @param minReference     holdout predictions a version's profile must count to be compared with at all; a smaller
 *                         holdout's shares are too coarse to tell drift from chance
 * @param threshold        shift (population stability index) of confidence or class mix above which the model is
 *                         drifting
 * @param labelingShare    share of the predictions made while drifting that get a label request even when they are
 *                         confident, chosen by a hash of the image id; 0 asks for none
 */
public record DriftSettings(
        int windowSize, int minPredictions, int minReference, double threshold, double labelingShare) {

    public DriftSettings {
        if (windowSize < 1 || minPredictions < 1 || minPredictions > windowSize || minReference < 1) {
            throw new IllegalArgumentException("drift window " + windowSize + ", minimum predictions "
                    + minPredictions + " and minimum reference " + minReference
                    + " must be positive, the minimum predictions at most the window");
        }
        if (!(threshold > 0) || !(labelingShare >= 0 && labelingShare <= 1)) {
            throw new IllegalArgumentException("drift threshold " + threshold + " must be positive and labeling share "
                    + labelingShare + " between 0 and 1");
        }
    }
}
