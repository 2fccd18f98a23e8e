package io.imgstream.training.fit;

import io.imgstream.model.augment.AugmentationPreset;
import io.imgstream.model.head.HeadKind;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@code imgstream fit} trains.
 *
 * @param modelName      the bundle's model name
 * @param headEpochs     most epochs of the head (early stopping usually ends sooner)
 * @param fineTune       whether the last layers of the base are then fine-tuned with the head
 * @param fineTuneEpochs epochs of fine-tuning
 * @param unfreezeLayers how many of the base's last layers fine-tuning trains; 0: VGG's block 5, or the last 10
 *                       layers of another base
 * @param seed           seed of shuffling, dropout, augmentation and splits
 * @param workDir        feature cache and checkpoints
 * @param resume         whether to continue from the last checkpoints in {@code workDir}: the head's, then the
 *                       fine-tuning's
 * @param normalized     whether the head standardises the pooled features first (batch normalisation): the channels
 *                       of an intermediate layer differ in scale by orders of magnitude, a last layer's less so
 * @param augmentation   the random changes fine-tuning applies to each training image
 * @param head           which head is trained on the features; a linear head ignores {@code headEpochs} and
 *                       refuses {@code normalized} (it standardises its features itself)
 */
public record FitSettings(
        String modelName,
        int headEpochs,
        boolean fineTune,
        int fineTuneEpochs,
        int unfreezeLayers,
        long seed,
        Path workDir,
        boolean resume,
        boolean normalized,
        AugmentationPreset augmentation,
        HeadKind head) {

    /** Default head epochs, as in the seeds' bottleneck script. */
    public static final int DEFAULT_HEAD_EPOCHS = 50;
    /** Default fine-tuning epochs. */
    public static final int DEFAULT_FINE_TUNE_EPOCHS = 10;

    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    public FitSettings {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(augmentation, "augmentation");
        Objects.requireNonNull(head, "head");
        if (!MODEL_NAME.matcher(modelName).matches()) {
            throw new IllegalArgumentException(
                    "model name '" + modelName + "' must be letters, digits, '.', '_' or '-' (at most 100)");
        }
        if (headEpochs <= 0 || fineTuneEpochs <= 0) {
            throw new IllegalArgumentException(
                    "epochs must be positive, were " + headEpochs + " (head) and " + fineTuneEpochs + " (fine-tune)");
        }
        if (head == HeadKind.LINEAR && normalized) {
            throw new IllegalArgumentException(
                    "standardising before a dense layer is for the dense head; a linear head standardises its features "
                            + "itself: drop --normalize or use --head dense");
        }
        if (unfreezeLayers < 0) {
            throw new IllegalArgumentException("unfreeze layers must not be negative, was " + unfreezeLayers);
        }
    }
}
