package io.imgstream.model.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PredictionProfileTest {

    private static final List<String> CLASSES = List.of("cat", "dog", "fox");

    @Test
    void shouldCountTopProbabilitiesByBinAndPredictedClass() {
        PredictionProfile profile = PredictionProfile.of(
                CLASSES,
                List.of(
                        new float[] {0.95f, 0.03f, 0.02f},
                        new float[] {0.1f, 0.5f, 0.4f},
                        new float[] {0.0f, 0.0f, 1.0f},
                        new float[] {0.34f, 0.33f, 0.33f}));

        assertThat(profile.count()).isEqualTo(4);
        assertThat(profile.confidence()).containsExactly(0L, 0L, 0L, 1L, 0L, 1L, 0L, 0L, 0L, 2L);
        assertThat(profile.predicted()).isEqualTo(Map.of("cat", 2L, "dog", 1L, "fox", 1L));
    }

    @Test
    void shouldSeeNoShiftBetweenEqualSharesWhateverTheCounts() {
        PredictionProfile holdout =
                PredictionProfile.of(CLASSES, new long[] {0, 0, 0, 2, 2, 4, 4, 8, 10, 10}, new long[] {20, 10, 10});
        PredictionProfile recent = PredictionProfile.of(
                CLASSES, new long[] {0, 0, 0, 20, 20, 40, 40, 80, 100, 100}, new long[] {200, 100, 100});

        assertThat(recent.confidenceShift(holdout)).isCloseTo(0, within(1e-12));
        assertThat(recent.classMixShift(holdout)).isCloseTo(0, within(1e-12));
    }

    @Test
    void shouldMeasureAMovedDistributionAsALargeShiftAndAWiderOneAsLarger() {
        PredictionProfile holdout =
                PredictionProfile.of(CLASSES, new long[] {0, 0, 0, 0, 0, 0, 0, 5, 15, 80}, new long[] {34, 33, 33});
        PredictionProfile lessSure =
                PredictionProfile.of(CLASSES, new long[] {0, 0, 0, 0, 0, 10, 20, 30, 20, 20}, new long[] {34, 33, 33});
        PredictionProfile unsure =
                PredictionProfile.of(CLASSES, new long[] {0, 0, 0, 40, 40, 20, 0, 0, 0, 0}, new long[] {34, 33, 33});

        assertThat(lessSure.confidenceShift(holdout)).isGreaterThan(0.25);
        assertThat(unsure.confidenceShift(holdout)).isGreaterThan(lessSure.confidenceShift(holdout));
        assertThat(unsure.classMixShift(holdout)).as("the same mix").isLessThan(0.01);
    }

    @Test
    void shouldCountAClassOnlyOneSideKnowsAsEmptyOnTheOther() {
        PredictionProfile holdout = PredictionProfile.of(List.of("cat", "dog"), new long[10], new long[] {50, 50});
        PredictionProfile recent = PredictionProfile.of(CLASSES, new long[10], new long[] {0, 0, 100});

        assertThat(recent.classMixShift(holdout)).isGreaterThan(1.0);
        assertThat(Double.isFinite(recent.classMixShift(holdout))).isTrue();
    }

    @Test
    void shouldRefuseMalformedCounts() {
        assertThatThrownBy(() -> new PredictionProfile(List.of(1L, 2L), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10 bins");
        assertThatThrownBy(() -> PredictionProfile.of(CLASSES, List.of(new float[] {1f, 0f})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 probabilities for 3 classes");
    }
}
