package io.imgstream.training.refit;

import io.imgstream.images.decode.TargetSize;
import io.imgstream.model.base.BaseNetwork;
import io.imgstream.model.evaluation.TrainingCurves;
import io.imgstream.model.preprocess.Preprocessing;
import io.imgstream.model.training.FineTuneCheckpoint;
import io.imgstream.model.training.FineTuneConfig;
import io.imgstream.model.training.FineTuneResult;
import io.imgstream.model.training.FineTuner;
import io.imgstream.model.training.ImageSet;
import io.imgstream.training.features.ExampleImages;
import io.imgstream.training.labels.LabeledExample;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The fine-tuning of one refit: fetches the labeled images again (a seeded sample of each side when there are more
 * than {@link FineTuning#maxImages()}), stacks the freshly trained head on the base, trains the base's last layers
 * with it on augmented images, and scores the holdout images with the result.
 *
 * <p>Not thread-safe; one refit runs at a time.
 */
final class FineTuneStep {

    /**
     * A fine-tuned candidate.
     *
     * @param network       the base and head, fine-tuned together
     * @param curves        fine-tuning's per-epoch loss and accuracy
     * @param images        images it was fine-tuned on
     * @param holdout       the holdout examples it was scored on: those whose image could be had
     * @param probabilities its class probabilities for each of them, in order
     */
    record Tuned(
            ComputationGraph network,
            TrainingCurves curves,
            int images,
            List<LabeledExample> holdout,
            float[][] probabilities) {}

    /** Examples whose image could be had, with it. */
    private record Loaded(List<LabeledExample> examples, ImageSet images) {}

    private final FineTuning tuning;
    private final BaseNetwork base;
    private final ExampleImages images;
    private final Path checkpoints;
    private final Consumer<String> progress;

    /**
     * @param checkpoints where fine-tuning checkpoints after every epoch; a checkpoint already there is this refit's
     *                    (the caller's fingerprint check cleared any other), so its run continues
     */
    FineTuneStep(FineTuning tuning, BaseNetwork base, Path checkpoints, Consumer<String> progress) {
        this.tuning = Objects.requireNonNull(tuning, "tuning");
        this.base = Objects.requireNonNull(base, "base");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.progress = Objects.requireNonNull(progress, "progress");
        Preprocessing input = base.preprocessing();
        this.images = new ExampleImages(tuning.loader(), Optional.of(new TargetSize(input.width(), input.height())));
    }

    /**
     * Fine-tunes the base's last layers with {@code head}.
     *
     * @param head       the head this refit trained on the base's features; not changed
     * @param classes    the candidate's classes, in output order
     * @param validation may be {@code train} itself, when no image falls on the validation side
     * @param seed       seeds the sample, the shuffles and the augmentation
     * @param refused    told of every example whose image can't be had, and why
     * @return the candidate, or empty when too few images could be had to fine-tune (the caller keeps the head)
     * @throws RuntimeException if a server or the file system is away; the refit is tried later
     */
    Optional<Tuned> run(
            ComputationGraph head,
            List<String> classes,
            List<LabeledExample> train,
            List<LabeledExample> validation,
            List<LabeledExample> holdout,
            long seed,
            BiConsumer<LabeledExample, String> refused) {
        boolean validateOnTrain = validation == train;
        int total = train.size() + (validateOnTrain ? 0 : validation.size()) + holdout.size();
        double share = Math.min(1.0, (double) tuning.maxImages() / total);
        Random random = new Random(seed);
        Loaded trainSet = load(sample(train, share, random), classes, refused);
        Loaded validationSet = validateOnTrain ? trainSet : load(sample(validation, share, random), classes, refused);
        Loaded holdoutSet = load(sample(holdout, share, random), classes, refused);
        Optional<String> unfit = unfit(trainSet, validationSet, holdoutSet);
        if (unfit.isPresent()) {
            progress.accept("fine-tuning skipped, the head alone is the candidate: " + unfit.get());
            return Optional.empty();
        }
        FineTuneConfig configured = tuning.config();
        FineTuner tuner = new FineTuner(new FineTuneConfig(
                configured.learningRate(),
                configured.momentum(),
                configured.epochs(),
                configured.batchSize(),
                seed,
                configured.augmentation(),
                configured.balanceClasses()));
        FineTuner.Unfreeze unfreeze = FineTuner.Unfreeze.lastBlockOf(base, tuning.layers());
        progress.accept(String.format(
                Locale.ROOT,
                "fine-tuning %s from %s with the head: %d training images%s, %d epochs",
                base.id(),
                unfreeze,
                trainSet.examples().size(),
                share < 1 ? String.format(Locale.ROOT, " (a %.0f%% sample, fine-tune.max.images)", share * 100) : "",
                configured.epochs()));
        ComputationGraph assembled = tuner.assemble(base, head, unfreeze);
        if (FineTuneCheckpoint.existsIn(checkpoints)) {
            progress.accept("continuing the interrupted fine-tuning from its checkpoint in " + checkpoints);
        }
        FineTuneResult tuned;
        try {
            tuned = tuner.fineTune(
                    assembled,
                    base.preprocessing(),
                    trainSet.images(),
                    validationSet.images(),
                    checkpoints,
                    epoch -> progress.accept("  " + epoch.summary()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not checkpoint the fine-tuning in " + checkpoints, e);
        }
        float[][] probabilities = tuner.predict(
                tuned.network(), base.preprocessing(), holdoutSet.images().images());
        return Optional.of(new Tuned(
                tuned.network(), tuned.curves(), trainSet.examples().size(), holdoutSet.examples(), probabilities));
    }

    private Loaded load(
            List<LabeledExample> examples, List<String> classes, BiConsumer<LabeledExample, String> refused) {
        List<LabeledExample> had = new ArrayList<>(examples.size());
        List<BufferedImage> pixels = new ArrayList<>(examples.size());
        for (LabeledExample example : examples) {
            images.load(example, refused).ifPresent(image -> {
                had.add(example);
                pixels.add(image);
            });
        }
        int[] labels = had.stream().mapToInt(e -> classes.indexOf(e.label())).toArray();
        return new Loaded(List.copyOf(had), new ImageSet(pixels, labels));
    }

    /** A seeded sample of {@code share} of the examples, at least one when there are any. */
    private static List<LabeledExample> sample(List<LabeledExample> examples, double share, Random random) {
        if (share >= 1) {
            return examples;
        }
        List<LabeledExample> shuffled = new ArrayList<>(examples);
        Collections.shuffle(shuffled, random);
        return shuffled.subList(0, Math.max(Math.min(1, shuffled.size()), (int) Math.ceil(shuffled.size() * share)));
    }

    private static Optional<String> unfit(Loaded train, Loaded validation, Loaded holdout) {
        Set<String> trained = new HashSet<>();
        train.examples().forEach(e -> trained.add(e.label()));
        if (trained.size() < 2) {
            return Optional.of("the images that could be fetched for training hold class(es) " + trained + " only");
        }
        if (validation.examples().isEmpty() || holdout.examples().isEmpty()) {
            return Optional.of("no validation or holdout image could be fetched");
        }
        return Optional.empty();
    }
}
