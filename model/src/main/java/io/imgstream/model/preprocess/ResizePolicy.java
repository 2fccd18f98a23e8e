package io.imgstream.model.preprocess;

/** How an image of any aspect ratio is brought to the network's input size. */
public enum ResizePolicy {
    /** Scale the whole image to the target size; the aspect ratio changes, nothing is cut off. */
    SQUASH,
    /**
     * Cut the largest centred region that has the target aspect ratio, then scale it to the target
     * size; the aspect ratio is kept and the borders of the longer side are lost.
     */
    CENTER_CROP
}
