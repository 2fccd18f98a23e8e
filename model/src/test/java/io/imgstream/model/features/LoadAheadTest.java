package io.imgstream.model.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.imgstream.model.training.TruncatedBase;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Loading the next minibatch on a second thread: the same features, in order, and failures that reach the caller. */
class LoadAheadTest {

    private static final TruncatedBase BASE = TinyBase.BASE;
    private static final int BATCH = 4;

    @Test
    void shouldGiveWhatTheExtractorGivesInOrderLeavingOutWhatTheLoaderLeftOut() throws IOException {
        List<BufferedImage> images = TinyBase.images(11);
        List<Integer> sources = IntStream.range(0, 11).boxed().toList();
        Set<String> loadingThreads = ConcurrentHashMap.newKeySet();
        Map<Integer, BottleneckFeatures> received = new LinkedHashMap<>();
        List<BottleneckFeatures> expected;
        try (FeatureExtractor extractor = new FeatureExtractor(BASE, BATCH)) {
            expected = extractor.extract(images);
            new LoadAhead(extractor)
                    .run(
                            sources,
                            i -> {
                                loadingThreads.add(Thread.currentThread().getName());
                                return i == 2 || i == 9 ? Optional.empty() : Optional.of(images.get(i));
                            },
                            received::put);
        }

        assertThat(received.keySet()).containsExactly(0, 1, 3, 4, 5, 6, 7, 8, 10);
        // The minibatches are made up differently, which moves a float's last bits.
        received.forEach((i, features) -> assertThat(features.values())
                .as("image %d", i)
                .containsExactly(expected.get(i).values(), offset(1e-5f)));
        assertThat(loadingThreads).containsExactly(LoadAhead.THREAD_NAME);
        assertThat(loadAheadThreadsAlive()).isZero();
    }

    @Test
    void shouldPassOnTheLoadersFailureAfterTheMinibatchesBeforeIt() {
        List<BufferedImage> images = TinyBase.images(10);
        IOException unreadable = new IOException("image 6 can't be read");
        List<Integer> received = new ArrayList<>();

        try (FeatureExtractor extractor = new FeatureExtractor(BASE, BATCH)) {
            assertThatThrownBy(() -> new LoadAhead(extractor)
                            .run(
                                    IntStream.range(0, 10).boxed().toList(),
                                    i -> {
                                        if (i == 6) {
                                            throw unreadable;
                                        }
                                        return Optional.of(images.get(i));
                                    },
                                    (i, features) -> received.add(i)))
                    .isSameAs(unreadable);
        }

        assertThat(received).containsExactly(0, 1, 2, 3);
        assertThat(loadAheadThreadsAlive()).isZero();
    }

    @Test
    void shouldStopLoadingWhenTheSinkFails() {
        List<BufferedImage> images = TinyBase.images(12);
        List<Integer> loaded = new ArrayList<>();

        try (FeatureExtractor extractor = new FeatureExtractor(BASE, BATCH)) {
            assertThatThrownBy(() -> new LoadAhead(extractor)
                            .run(
                                    IntStream.range(0, 12).boxed().toList(),
                                    i -> {
                                        synchronized (loaded) {
                                            loaded.add(i);
                                        }
                                        return Optional.of(images.get(i));
                                    },
                                    (i, features) -> {
                                        throw new IOException("disk full at " + i);
                                    }))
                    .isInstanceOf(IOException.class)
                    .hasMessage("disk full at 0");
        }

        synchronized (loaded) {
            assertThat(loaded)
                    .as("at most the first minibatch and the one loading ahead")
                    .hasSizeLessThanOrEqualTo(8);
        }
        assertThat(loadAheadThreadsAlive()).isZero();
    }

    /** Threads of the loader still running a moment after the call returned. */
    private static long loadAheadThreadsAlive() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long alive;
        do {
            alive = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(LoadAhead.THREAD_NAME) && t.isAlive())
                    .count();
            if (alive == 0) {
                return 0;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < deadline);
        return alive;
    }
}
