package io.imgstream.training.refit;

import io.imgstream.schemas.avro.SplitHint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Puts every image on a fixed side: holdout, validation or training, by a hash of its id, so an image evaluated
 * once is never trained on later, whatever else is labeled. A label's hint overrides the hash: HOLDOUT always
 * evaluates, TRAIN never does.
 *
 * <p>The hash is the first four bytes of the SHA-256 of the UTF-8 id, unsigned, modulo 100: stable across JVMs and
 * languages, and evenly spread whatever the ids look like.
 *
 * @param holdoutPercent    share of images in the holdout
 * @param validationPercent share of images early stopping watches
 */
public record HoldoutSplit(int holdoutPercent, int validationPercent) {

    /** A side of the split. */
    public enum Side {
        /** Trained on. */
        TRAIN,
        /** Watched by early stopping and learning-rate reduction. */
        VALIDATION,
        /** Kept out of training; evaluates candidates. */
        HOLDOUT
    }

    public HoldoutSplit {
        if (holdoutPercent < 0 || validationPercent < 0 || holdoutPercent + validationPercent >= 100) {
            throw new IllegalArgumentException("holdout " + holdoutPercent + "% + validation " + validationPercent
                    + "% must be non-negative and below 100%");
        }
    }

    /** The side of an image. */
    public Side sideOf(String imageId, SplitHint hint) {
        int bucket = bucket(imageId);
        if (hint == SplitHint.HOLDOUT) {
            return Side.HOLDOUT;
        }
        if (hint != SplitHint.TRAIN && bucket < holdoutPercent) {
            return Side.HOLDOUT;
        }
        return bucket >= holdoutPercent && bucket < holdoutPercent + validationPercent ? Side.VALIDATION : Side.TRAIN;
    }

    /** The image's bucket, 0 to 99. */
    static int bucket(String imageId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(imageId.getBytes(StandardCharsets.UTF_8));
            return (int) (Integer.toUnsignedLong(ByteBuffer.wrap(digest, 0, 4).getInt()) % 100);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
