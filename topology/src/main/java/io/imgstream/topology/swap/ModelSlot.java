package io.imgstream.topology.swap;

import io.imgstream.images.decode.TargetSize;
import io.imgstream.model.evaluation.PredictionProfile;
import io.imgstream.model.inference.ImageScorer;
import io.imgstream.model.inference.ModelIdentity;
import io.imgstream.model.preprocess.Preprocessing;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The models an instance scores with: the current (primary) one, and optionally a shadow candidate that scores
 * the same batches beside it.
 *
 * <p><strong>Swap protocol:</strong> a loader thread installs a fully loaded and verified scorer with
 * {@link #promote} or {@link #shadow}; the inference thread takes a {@link Models} snapshot with
 * {@link #acquireForBatch()} at the start of every batch and uses only that snapshot for the whole batch, so a
 * swap lands between two batches, never inside one. Replaced scorers are closed by the inference thread at its
 * next {@code acquireForBatch()}, when no batch can still be using them.
 *
 * <p><strong>Batch size:</strong> each installed scorer comes with the batch size its model fits
 * ({@link PreparedScorer}); batches close at the smaller of the primary's and the shadow's, since both score every
 * batch, so the size follows the models through swaps.
 *
 * <p>Thread-safe for one inference thread and any number of loader threads.
 */
public final class ModelSlot implements AutoCloseable {

    /**
     * One batch's models.
     *
     * @param primary      scores every image; its version is on every prediction
     * @param shadow       scores the same images into the shadow topic, or null
     * @param announcedAt  when the primary's version was announced on the control topic, or null when it was
     *                     configured at start-up; used to measure how long adoption took
     */
    public record Models(PreparedScorer primary, PreparedScorer shadow, Instant announcedAt) {

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

        /** Most images per forward pass: the smaller of the primary's and the shadow's batch size. */
        public int batchSize() {
            return shadow == null ? primary.batchSize() : Math.min(primary.batchSize(), shadow.batchSize());
        }
    }

    private final AtomicReference<Models> current;
    private final ConcurrentLinkedQueue<ImageScorer> retired = new ConcurrentLinkedQueue<>();

    /** @param initial the model to start with */
    public ModelSlot(PreparedScorer initial) {
        current = new AtomicReference<>(new Models(initial, null, null));
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

    /** Most images per forward pass of the models installed now ({@link Models#batchSize()}). */
    public int batchSize() {
        return current.get().batchSize();
    }

    /**
     * The size images are decoded for: the largest input height and width of the primary and shadow models, so
     * that neither gets an image smaller than its input. Read by the fetch threads for every image; a swap
     * applies to the images fetched after it.
     *
     * @return empty, for images at their full size, when a model does not say how it preprocesses
     */
    public Optional<TargetSize> inputSize() {
        Models models = current.get();
        Optional<Preprocessing> primary = models.primaryScorer().preprocessing();
        if (models.shadow() == null) {
            return primary.map(p -> new TargetSize(p.width(), p.height()));
        }
        Optional<Preprocessing> shadow = models.shadowScorer().preprocessing();
        if (primary.isEmpty() || shadow.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TargetSize(
                Math.max(primary.get().width(), shadow.get().width()),
                Math.max(primary.get().height(), shadow.get().height())));
    }

    /**
     * Makes {@code next} the primary model from the next batch on. A shadow of the same name and version is
     * dropped (it has just been promoted); any other shadow stays.
     *
     * @param announcedAt when the version appeared on the control topic
     */
    public void promote(PreparedScorer next, Instant announcedAt) {
        Objects.requireNonNull(next, "next");
        Models before = current.getAndUpdate(
                models -> new Models(next, sameModel(models.shadow(), next) ? null : models.shadow(), announcedAt));
        retire(before.primary());
        if (sameModel(before.shadow(), next)) {
            retire(before.shadow());
        }
    }

    /** Makes {@code candidate} the shadow model from the next batch on, replacing any earlier shadow. */
    public void shadow(PreparedScorer candidate) {
        Objects.requireNonNull(candidate, "candidate");
        Models before = current.getAndUpdate(models -> new Models(models.primary(), candidate, models.announcedAt()));
        retire(before.shadow());
    }

    /** Stops shadow scoring from the next batch on. */
    public void clearShadow() {
        Models before = current.getAndUpdate(models -> new Models(models.primary(), null, models.announcedAt()));
        retire(before.shadow());
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
