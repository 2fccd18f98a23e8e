package io.imgstream.topology.swap;

import io.imgstream.control.CanaryRollout;
import io.imgstream.images.decode.TargetSize;
import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.model.preprocess.Preprocessing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The models an instance scores with: the current (primary) one, optionally a shadow candidate that scores the same
 * batches beside it, and optionally a canary that scores its share of the images instead of the primary (the
 * primary scores those too, to compare).
 *
 * <p><strong>Swap protocol:</strong> a loader thread installs a fully loaded and verified scorer with
 * {@link #promote}, {@link #shadow} or {@link #canary}; the inference thread takes a {@link Models} snapshot with
 * {@link #acquireForBatch()} at the start of every batch and uses only that snapshot for the whole batch, so a
 * swap lands between two batches, never inside one. Replaced scorers are closed by the inference thread at its
 * next {@code acquireForBatch()}, when no batch can still be using them.
 *
 * <p><strong>Batch size:</strong> each installed scorer comes with the batch size its model fits
 * ({@link PreparedScorer}); batches close at the smallest of the installed models' sizes, since a batch may be
 * all canary images, so the size follows the models through swaps.
 *
 * <p>Thread-safe for one inference thread and any number of loader threads.
 */
public final class ModelSlot implements AutoCloseable {

    /**
     * One batch's models.
     *
     * @param primary      scores every image; its version is on every prediction
     * @param shadow       scores the same images into the shadow topic, or null
     * @param canary       scores its share of the images instead of the primary, or null
     * @param announcedAt  when the primary's version was announced on the control topic, or null when it was
     *                     configured at start-up; used to measure how long adoption took
     */
    public record Models(PreparedScorer primary, PreparedScorer shadow, Canary canary, Instant announcedAt) {

        public Models {
            Objects.requireNonNull(primary, "primary");
        }

        /** The primary's scorer. */
        public ImageScorer primaryScorer() {
            return primary.scorer();
        }

        /** The shadow's scorer, or null. */
        public ImageScorer shadowScorer() {
            return shadow == null ? null : shadow.scorer();
        }

        /** Most images per forward pass: the smallest of the installed models' batch sizes. */
        public int batchSize() {
            int size = primary.batchSize();
            size = shadow == null ? size : Math.min(size, shadow.batchSize());
            return canary == null ? size : Math.min(size, canary.scorer().batchSize());
        }

        private Models withPrimary(PreparedScorer next, Instant at) {
            return new Models(next, shadow, canary, at);
        }

        private Models withShadow(PreparedScorer next) {
            return new Models(primary, next, canary, announcedAt);
        }

        private Models withCanary(Canary next) {
            return new Models(primary, shadow, next, announcedAt);
        }
    }

    /**
     * A canary and its share.
     *
     * @param scorer  the canary's scorer
     * @param percent the share of images it scores, {@value CanaryRollout#MIN_PERCENT} to
     *                {@value CanaryRollout#MAX_PERCENT}: those {@link CanaryShare#contains} puts in it
     */
    public record Canary(PreparedScorer scorer, int percent) {

        public Canary {
            Objects.requireNonNull(scorer, "scorer");
            if (!CanaryRollout.validPercent(percent)) {
                throw new IllegalArgumentException("a canary's share must be " + CanaryRollout.MIN_PERCENT + " to "
                        + CanaryRollout.MAX_PERCENT + " percent, got " + percent);
            }
        }

        /** Whether the image {@code imageId} is the canary's to score. */
        public boolean scores(String imageId) {
            return CanaryShare.contains(imageId, percent);
        }

        /** The canary's model. */
        public ModelIdentity model() {
            return scorer.scorer().model();
        }

        private boolean is(String name, int version) {
            return model().name().equals(name) && model().version() == version;
        }
    }

    private final AtomicReference<Models> current;
    private final ConcurrentLinkedQueue<ImageScorer> retired = new ConcurrentLinkedQueue<>();

    /** @param initial the model to start with */
    public ModelSlot(PreparedScorer initial) {
        current = new AtomicReference<>(new Models(initial, null, null, null));
    }

    /** The model producing predictions now. */
    public ModelIdentity primaryModel() {
        return current.get().primaryScorer().model();
    }

    /** The shadow model, if one is installed. */
    public Optional<ModelIdentity> shadowModel() {
        return Optional.ofNullable(current.get().shadowScorer()).map(ImageScorer::model);
    }

    /**
     * The holdout profile of {@code model} if it is the primary model now: the reference its drift is measured
     * against.
     */
    public Optional<PredictionProfile> holdoutProfile(ModelIdentity model) {
        ImageScorer primary = current.get().primaryScorer();
        return primary.model().equals(model) ? primary.holdoutProfile() : Optional.empty();
    }

    /** The canary model, if one is installed. */
    public Optional<ModelIdentity> canaryModel() {
        return Optional.ofNullable(current.get().canary()).map(Canary::model);
    }

    /** The canary's share of the images in percent, 0 when there is no canary. */
    public int canaryPercent() {
        Canary canary = current.get().canary();
        return canary == null ? 0 : canary.percent();
    }

    /** Most images per forward pass of the models installed now ({@link Models#batchSize()}). */
    public int batchSize() {
        return current.get().batchSize();
    }

    /**
     * The size images are decoded for: the largest input height and width of the installed models, so that none
     * gets an image smaller than its input. Read by the fetch threads for every image; a swap
     * applies to the images fetched after it.
     *
     * @return empty, for images at their full size, when a model does not say how it preprocesses
     */
    public Optional<TargetSize> inputSize() {
        Models models = current.get();
        List<Optional<Preprocessing>> inputs = new ArrayList<>();
        inputs.add(models.primaryScorer().preprocessing());
        if (models.shadow() != null) {
            inputs.add(models.shadowScorer().preprocessing());
        }
        if (models.canary() != null) {
            inputs.add(models.canary().scorer().scorer().preprocessing());
        }
        if (inputs.stream().anyMatch(Optional::isEmpty)) {
            return Optional.empty();
        }
        return Optional.of(new TargetSize(
                inputs.stream().mapToInt(input -> input.get().width()).max().orElseThrow(),
                inputs.stream().mapToInt(input -> input.get().height()).max().orElseThrow()));
    }

    /**
     * Makes {@code next} the primary model from the next batch on. A shadow or canary of the same name and version
     * is dropped (it has just been promoted); any other stays.
     *
     * @param announcedAt when the version appeared on the control topic
     */
    public void promote(PreparedScorer next, Instant announcedAt) {
        Objects.requireNonNull(next, "next");
        Models before = current.getAndUpdate(models -> new Models(
                next,
                sameModel(models.shadow(), next) ? null : models.shadow(),
                models.canary() != null && sameModel(models.canary().scorer(), next) ? null : models.canary(),
                announcedAt));
        retire(before.primary());
        if (sameModel(before.shadow(), next)) {
            retire(before.shadow());
        }
        if (before.canary() != null && sameModel(before.canary().scorer(), next)) {
            retire(before.canary().scorer());
        }
    }

    /**
     * Makes the canary the primary model from the next batch on, without loading it again, if it is version
     * {@code version} of {@code name}.
     *
     * @param announcedAt when its promotion appeared on the control topic
     * @return whether the canary was that version and is now the primary
     */
    public boolean promoteCanary(String name, int version, Instant announcedAt) {
        Models before = current.get();
        while (before.canary() != null && before.canary().is(name, version)) {
            Models after = new Models(before.canary().scorer(), before.shadow(), null, announcedAt);
            if (current.compareAndSet(before, after)) {
                retire(before.primary());
                return true;
            }
            before = current.get();
        }
        return false;
    }

    /** Makes {@code candidate} the shadow model from the next batch on, replacing any earlier shadow. */
    public void shadow(PreparedScorer candidate) {
        Objects.requireNonNull(candidate, "candidate");
        Models before = current.getAndUpdate(models -> models.withShadow(candidate));
        retire(before.shadow());
    }

    /** Stops shadow scoring from the next batch on. */
    public void clearShadow() {
        Models before = current.getAndUpdate(models -> models.withShadow(null));
        retire(before.shadow());
    }

    /** Makes {@code candidate} the canary from the next batch on, replacing any earlier canary. */
    public void canary(Canary candidate) {
        Objects.requireNonNull(candidate, "candidate");
        Models before = current.getAndUpdate(models -> models.withCanary(candidate));
        if (before.canary() != null) {
            retire(before.canary().scorer());
        }
    }

    /**
     * Gives the installed canary a new share from the next batch on, keeping its model.
     *
     * @return whether the installed canary is version {@code version} of {@code name} and now has {@code percent}
     * @throws IllegalArgumentException if {@code percent} is not a canary's share
     */
    public boolean canaryShare(String name, int version, int percent) {
        Models before = current.get();
        while (before.canary() != null && before.canary().is(name, version)) {
            if (current.compareAndSet(
                    before, before.withCanary(new Canary(before.canary().scorer(), percent)))) {
                return true;
            }
            before = current.get();
        }
        return false;
    }

    /** Ends the canary from the next batch on: every image is the primary's again. */
    public void clearCanary() {
        Models before = current.getAndUpdate(models -> models.withCanary(null));
        if (before.canary() != null) {
            retire(before.canary().scorer());
        }
    }

    /**
     * The models for the batch about to run. Only the inference thread calls this: it also closes the scorers
     * replaced since its last call.
     */
    public Models acquireForBatch() {
        for (ImageScorer old = retired.poll(); old != null; old = retired.poll()) {
            old.close();
        }
        return current.get();
    }

    /** Closes every scorer, current and replaced. Call only once the inference thread has stopped. */
    @Override
    public void close() {
        Models last = current.get();
        acquireForBatch();
        last.primaryScorer().close();
        if (last.shadow() != null) {
            last.shadowScorer().close();
        }
        if (last.canary() != null) {
            last.canary().scorer().scorer().close();
        }
    }

    private void retire(PreparedScorer scorer) {
        if (scorer != null) {
            retired.add(scorer.scorer());
        }
    }

    private static boolean sameModel(PreparedScorer scorer, PreparedScorer other) {
        return scorer != null
                && scorer.scorer().model().name().equals(other.scorer().model().name())
                && scorer.scorer().model().version() == other.scorer().model().version();
    }
}
