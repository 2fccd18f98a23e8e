package io.imgstream.training.features;

import io.imgstream.images.ImageLoader;
import io.imgstream.images.decode.TargetSize;
import io.imgstream.images.fetch.FetchException;
import io.imgstream.schemas.FailureVerdict;
import io.imgstream.schemas.avro.DeadLetterReason;
import io.imgstream.schemas.avro.ImageRef;
import io.imgstream.training.labels.LabeledExample;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Fetches the image of a labeled example through the scorer's {@link ImageLoader}, with the same scheme, root,
 * host and size limits: the URIs come from labels, which anyone who can write to {@code feedback} sets.
 *
 * <p>One policy for every caller: an image that can't be had because of the label (no URI, a path outside the
 * roots, a corrupt file) is reported and left out; one that can't be had because a server is away fails the
 * caller, so the refit is tried later rather than trained without it.
 */
public final class ExampleImages {

    private final ImageLoader loader;
    private final Optional<TargetSize> target;

    /**
     * @param loader fetches and decodes images within the configured limits
     * @param target the size images are decoded for (at least it, by subsampling), or empty for their full size
     */
    public ExampleImages(ImageLoader loader, Optional<TargetSize> target) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * The example's image.
     *
     * @param example a labeled image
     * @param refused told why, when the image can't be had through the label's fault
     * @return the decoded image, or empty when refused
     * @throws RuntimeException if a server or the file system is away; the caller tries later
     */
    public Optional<BufferedImage> load(LabeledExample example, BiConsumer<LabeledExample, String> refused) {
        if (example.uri().isEmpty()) {
            refused.accept(example, "no features and no uri in its label to compute them from");
            return Optional.empty();
        }
        try {
            ImageRef ref = ImageRef.newBuilder()
                    .setId(example.imageId())
                    .setUri(example.uri().get())
                    .setEventTime(Instant.now())
                    .build();
            ImageLoader.LoadedImage loaded = target.isPresent() ? loader.load(ref, target.get()) : loader.load(ref);
            return Optional.of(loaded.image());
        } catch (FetchException e) {
            refused.accept(example, e.reason() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // Anything else the loader throws (an invalid URI, a codec's own exception) is the label's problem
            // unless a server is away: leave the label out rather than fail every refit on it.
            if (FailureVerdict.of(e) == FailureVerdict.INFRASTRUCTURE) {
                throw e;
            }
            refused.accept(example, DeadLetterReason.FETCH_FAILED + ": " + e);
        }
        return Optional.empty();
    }
}
