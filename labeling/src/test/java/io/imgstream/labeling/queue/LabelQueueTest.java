package io.imgstream.labeling.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.avro.ClassProbability;
import io.imgstream.schemas.avro.LabelRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabelQueueTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    static LabelRequest request(String id, long second, double... probabilities) {
        List<ClassProbability> topK = new ArrayList<>();
        for (int i = 0; i < probabilities.length; i++) {
            topK.add(new ClassProbability("class" + i, (float) probabilities[i]));
        }
        return LabelRequest.newBuilder()
                .setImageId(id)
                .setUri("file:///images/" + id + ".png")
                .setModelName("m")
                .setModelVersion(1)
                .setTopK(topK)
                .setReason("confidence low")
                .setRequestedTime(T0.plusSeconds(second))
                .build();
    }

    private static List<String> drain(LabelQueue queue) {
        List<String> ids = new ArrayList<>();
        for (Optional<LabelRequest> next = queue.take(); next.isPresent(); next = queue.take()) {
            ids.add(next.get().getImageId().toString());
        }
        return ids;
    }

    @Test
    void shouldOfferTheHighestEntropyFirst() {
        LabelQueue queue = new LabelQueue(Uncertainty.ENTROPY, 0, 1, 10);
        queue.offer(request("sure", 0, 0.9, 0.05));
        queue.offer(request("split", 1, 0.34, 0.33, 0.33));
        queue.offer(request("middling", 2, 0.6, 0.3));

        assertThat(drain(queue)).containsExactly("split", "middling", "sure");
    }

    @Test
    void shouldCountTheRestOfTheMassAsOneMoreClassForEntropy() {
        // Same top guess; the first leaves 0.5 of the mass to the rest, so it is more uncertain than 0.5/0.5.
        assertThat(Uncertainty.ENTROPY.of(request("a", 0, 0.25, 0.25).getTopK()))
                .isGreaterThan(Uncertainty.ENTROPY.of(request("b", 0, 0.5, 0.5).getTopK()));
        assertThat(Uncertainty.ENTROPY.of(request("c", 0, 0.5, 0.5).getTopK())).isCloseTo(Math.log(2), within());
    }

    @Test
    void shouldOfferTheSmallestMarginFirstWhenOrderedByMargin() {
        // By entropy 'spread' is the most uncertain; by margin 'close' is, its top two 0.01 apart.
        LabelQueue queue = new LabelQueue(Uncertainty.MARGIN, 0, 1, 10);
        queue.offer(request("spread", 0, 0.3, 0.2, 0.2, 0.2));
        queue.offer(request("close", 1, 0.5, 0.49));
        queue.offer(request("sure", 2, 0.95, 0.01));

        assertThat(drain(queue)).containsExactly("close", "spread", "sure");
        assertThat(Uncertainty.ENTROPY.of(
                        request("spread", 0, 0.3, 0.2, 0.2, 0.2).getTopK()))
                .isGreaterThan(
                        Uncertainty.ENTROPY.of(request("close", 0, 0.5, 0.49).getTopK()));
    }

    @Test
    void shouldNotTrustTheOrderOrTheRangeOfTheProbabilities() {
        double unordered = Uncertainty.MARGIN.of(request("a", 0, 0.1, 0.7, 0.2).getTopK());
        assertThat(unordered).isCloseTo(1 - (0.7 - 0.2), within());
        double garbage =
                Uncertainty.ENTROPY.of(request("b", 0, Double.NaN, -3, 7, 7).getTopK());
        // Nothing there is a probability: all of the mass is the rest's, no uncertainty to measure.
        assertThat(garbage).isFinite().isEqualTo(0.0);
        assertThat(Uncertainty.ENTROPY.of(request("c", 0, 0.8, 0.8).getTopK())).isCloseTo(Math.log(2), within());
    }

    @Test
    void shouldKeepOneEntryPerImageTheNewestRequestWinning() {
        LabelQueue queue = new LabelQueue(Uncertainty.ENTROPY, 0, 1, 10);
        queue.offer(request("a", 0, 0.34, 0.33, 0.33));
        queue.offer(request("b", 1, 0.6, 0.3));
        assertThat(queue.offer(request("a", 2, 0.98, 0.01))).isTrue();
        // Older than what is held: ignored, though more uncertain.
        assertThat(queue.offer(request("a", 1, 0.5, 0.5))).isFalse();

        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.peek("a").orElseThrow().getRequestedTime()).isEqualTo(T0.plusSeconds(2));
        assertThat(drain(queue)).containsExactly("b", "a");
    }

    @Test
    void shouldDropTheLeastUsefulAndCountItWhenFull() {
        LabelQueue queue = new LabelQueue(Uncertainty.ENTROPY, 0, 1, 2);
        queue.offer(request("middling", 0, 0.8, 0.15));
        queue.offer(request("split", 1, 0.34, 0.33, 0.33));
        assertThat(queue.offer(request("sure", 2, 0.95, 0.01))).isFalse();
        assertThat(queue.offer(request("close", 3, 0.5, 0.45))).isTrue();

        assertThat(queue.dropped()).isEqualTo(2);
        assertThat(drain(queue)).containsExactly("split", "close");
    }

    @Test
    void shouldDropTheOldestOfEquallyUsefulImages() {
        LabelQueue queue = new LabelQueue(Uncertainty.ENTROPY, 0, 1, 2);
        queue.offer(request("old", 0, 0.5, 0.5));
        queue.offer(request("new", 1, 0.5, 0.5));
        queue.offer(request("newer", 2, 0.5, 0.5));

        assertThat(drain(queue)).containsExactlyInAnyOrder("new", "newer");
    }

    @Test
    void shouldPickTheSeededShareAtRandom() {
        List<String> byUncertainty = order(0);
        List<String> random = order(1);
        List<String> mixed = order(0.5);

        // Offered from most certain to least: by uncertainty the reverse comes out.
        assertThat(byUncertainty).isEqualTo(expectedByUncertainty());
        assertThat(random).isNotEqualTo(byUncertainty).containsExactlyInAnyOrderElementsOf(byUncertainty);
        assertThat(mixed)
                .isNotEqualTo(byUncertainty)
                .isNotEqualTo(random)
                .containsExactlyInAnyOrderElementsOf(byUncertainty);
        // Seeded: the same picks again.
        assertThat(order(0.5)).isEqualTo(mixed);
    }

    @Test
    void shouldMakeRoughlyTheRandomShareOfPicksAtRandom() {
        LabelQueue queue = new LabelQueue(Uncertainty.ENTROPY, 0.25, 7, 1000);
        for (int i = 0; i < 1000; i++) {
            double top = 0.5 + 0.49 * i / 1000.0;
            queue.offer(request("i" + i, i, top, 1 - top));
        }
        int notTheTop = 0;
        Set<String> seen = new HashSet<>();
        for (int i = 999; i >= 600; i--) {
            String top = "i" + lowestWaiting(seen);
            String taken = queue.take().orElseThrow().getImageId().toString();
            seen.add(taken);
            if (!taken.equals(top)) {
                notTheTop++;
            }
        }
        // 400 picks at 25%: about 100 random; a random pick is the top one only by chance.
        assertThat(notTheTop).isBetween(60, 140);
    }

    @Test
    void shouldRefuseAShareOutsideZeroToOneAndAnEmptyBound() {
        assertThatThrownBy(() -> new LabelQueue(Uncertainty.ENTROPY, 1.5, 1, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LabelQueue(Uncertainty.ENTROPY, 0, 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static int lowestWaiting(Set<String> taken) {
        for (int i = 0; ; i++) {
            if (!taken.contains("i" + i)) {
                return i;
            }
        }
    }

    private static List<String> order(double share) {
        LabelQueue queue = new LabelQueue(Uncertainty.ENTROPY, share, 99, 100);
        for (int i = 0; i < 20; i++) {
            queue.offer(request("i" + i, i, 0.95 - 0.02 * i, 0.01));
        }
        return drain(queue);
    }

    private static List<String> expectedByUncertainty() {
        List<String> ids = new ArrayList<>();
        for (int i = 19; i >= 0; i--) {
            ids.add("i" + i);
        }
        return ids;
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-6);
    }
}
