package io.imgstream.topology.fetch;

import java.awt.image.BufferedImage;

/**
 * A fetched and decoded image, ready for preprocessing and scoring.
 *
 * @param task    the reference it came from
 * @param image   the decoded pixels
 * @param fetchMs wall-clock time spent fetching and decoding, in milliseconds
 */
public record DecodedImage(ImageTask task, BufferedImage image, double fetchMs) {
}
