package io.imgstream.model.features;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Features of images that still have to be read and decoded, with the next minibatch loaded on a second thread
 * while the current one runs through the base. Decoding a photo takes a few milliseconds against tens for a
 * forward pass, and the base's kernels leave the cores idle now and then; done in line, the decoding is time the
 * base waits for.
 *
 * <p>At most two minibatches of decoded images are held. The loader runs on the second thread, one source at a
 * time and never two at once; the extractor and the sink run on the caller's. Whatever the loader throws reaches
 * the caller unchanged, and the second thread ends with the call.
 *
 * <p>Not thread-safe, like the extractor it drives.
 */
public final class LoadAhead {

    /** Name of the loading thread, as thread dumps show it. */
    static final String THREAD_NAME = "imgstream-load-ahead";

    /**
     * Loads one source's image.
     *
     * @param <S> what the images are loaded from
     */
    @FunctionalInterface
    public interface ImageSource<S> {
        /**
         * @return the decoded image, or empty for a source that can't be had (it is left out)
         * @throws IOException if the source can't be read
         */
        Optional<BufferedImage> load(S source) throws IOException;
    }

    /**
     * Receives one source's features.
     *
     * @param <S> what the images are loaded from
     */
    @FunctionalInterface
    public interface FeatureSink<S> {
        /** @throws IOException if the features can't be kept */
        void accept(S source, BottleneckFeatures features) throws IOException;
    }

    private final FeatureExtractor extractor;

    /** @param extractor the base's extractor, whose minibatch size the loading follows */
    public LoadAhead(FeatureExtractor extractor) {
        this.extractor = Objects.requireNonNull(extractor, "extractor");
    }

    /**
     * Loads every source and hands each one's features to the sink, in the sources' order, a minibatch at a time.
     *
     * @param sources what to load
     * @param loader  loads one source
     * @param sink    receives the features of every source the loader did not leave out
     * @throws IOException whatever the loader or the sink throws
     */
    public <S> void run(List<S> sources, ImageSource<S> loader, FeatureSink<S> sink) throws IOException {
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(sink, "sink");
        List<S> all = List.copyOf(sources);
        if (all.isEmpty()) {
            return;
        }
        int batch = extractor.batchSize();
        ExecutorService loading = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        try {
            Future<List<Optional<BufferedImage>>> next = loading.submit(() -> load(all, 0, batch, loader));
            for (int from = 0; from < all.size(); from += batch) {
                List<Optional<BufferedImage>> loaded = await(next);
                int following = from + batch;
                if (following < all.size()) {
                    next = loading.submit(() -> load(all, following, batch, loader));
                }
                List<S> present = new ArrayList<>();
                List<BufferedImage> images = new ArrayList<>();
                for (int i = 0; i < loaded.size(); i++) {
                    if (loaded.get(i).isPresent()) {
                        present.add(all.get(from + i));
                        images.add(loaded.get(i).get());
                    }
                }
                List<BottleneckFeatures> features = extractor.extract(images);
                for (int i = 0; i < present.size(); i++) {
                    sink.accept(present.get(i), features.get(i));
                }
            }
        } finally {
            // A minibatch still loading when the sink or the extractor failed is abandoned.
            loading.shutdownNow();
        }
    }

    private static <S> List<Optional<BufferedImage>> load(List<S> sources, int from, int batch, ImageSource<S> loader)
            throws IOException {
        List<Optional<BufferedImage>> images = new ArrayList<>();
        for (S source : sources.subList(from, Math.min(sources.size(), from + batch))) {
            images.add(Objects.requireNonNull(loader.load(source), "the loader returned null"));
        }
        return images;
    }

    private static <T> T await(Future<T> loading) throws IOException {
        try {
            return loading.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while images were loading");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("loading an image failed", cause);
        }
    }
}
