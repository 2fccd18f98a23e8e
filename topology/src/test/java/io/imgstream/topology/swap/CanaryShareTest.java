package io.imgstream.topology.swap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CanaryShareTest {

    private static final int IMAGES = 20_000;

    /** Image ids of the kinds producers use: UUIDs and numbered names. */
    private static final List<String> IDS = IntStream.range(0, IMAGES)
            .mapToObj(i -> i % 2 == 0 ? new UUID(i * 31L, i).toString() : "img-" + i)
            .toList();

    @Test
    void shouldPutAboutTheShareOfImagesInTheCanary() {
        for (int percent : new int[] {1, 10, 30, 50, 99}) {
            long inCanary =
                    IDS.stream().filter(id -> CanaryShare.contains(id, percent)).count();

            // Binomial: the standard deviation at 50% over 20,000 ids is 0.35 points; 1.5 points is over 4 of them.
            assertThat(100.0 * inCanary / IMAGES).as("share at %d%%", percent).isBetween(percent - 1.5, percent + 1.5);
        }
    }

    @Test
    void shouldKeepEveryCanaryImageInTheCanaryAsTheShareGrows() {
        for (String id : IDS) {
            boolean wasIn = false;
            for (int percent = 1; percent <= 99; percent++) {
                boolean in = CanaryShare.contains(id, percent);
                assertThat(!wasIn || in)
                        .as("%s left the canary at %d%%", id, percent)
                        .isTrue();
                wasIn = in;
            }
        }
    }

    @Test
    void shouldPutTheSameImageInTheSameBucketEveryTime() {
        // Fixed values: the hash must be the same on every instance and release, or images would change arms.
        assertThat(List.of("img-1", "img-2", "a", "cat-0001"))
                .extracting(CanaryShare::bucket)
                .containsExactly(99, 80, 24, 43);
        assertThat(IDS.stream().mapToInt(CanaryShare::bucket).allMatch(b -> b >= 0 && b < CanaryShare.BUCKETS))
                .isTrue();
    }
}
