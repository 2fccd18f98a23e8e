package io.imgstream.connect.source;

import io.imgstream.schemas.avro.SplitHint;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What an image's place under a root says about it, in the layouts of the transfer-learning recipes:
 * {@code train/<class>/x.jpg}, {@code validation/<class>/x.jpg}, {@code test/<class>/x.jpg} (a class, with the split
 * as a hint), {@code <class>/x.jpg} (a class), or {@code x.jpg} (unlabeled). Deeper paths take the class from the
 * image's folder and the split from the top folder when it names one.
 *
 * @param label the class the folder names, if it names one
 * @param split where the labeler wants it: TRAIN for {@code train/}, HOLDOUT for {@code validation/} and {@code test/}
 */
public record FolderLayout(Optional<String> label, SplitHint split) {

    private static final Set<String> TRAIN = Set.of("train", "training");
    private static final Set<String> HOLDOUT = Set.of("validation", "valid", "val", "test");

    /**
     * @param relative the image's path relative to its root
     * @return what the path says
     */
    public static FolderLayout of(Path relative) {
        int depth = relative.getNameCount();
        if (depth < 2) {
            return new FolderLayout(Optional.empty(), SplitHint.ANY);
        }
        String top = relative.getName(0).toString().toLowerCase(Locale.ROOT);
        SplitHint split =
                TRAIN.contains(top) ? SplitHint.TRAIN : HOLDOUT.contains(top) ? SplitHint.HOLDOUT : SplitHint.ANY;
        if (split != SplitHint.ANY && depth == 2) {
            // train/x.jpg: a split without a class folder, so no label.
            return new FolderLayout(Optional.empty(), split);
        }
        return new FolderLayout(Optional.of(relative.getName(depth - 2).toString()), split);
    }
}
