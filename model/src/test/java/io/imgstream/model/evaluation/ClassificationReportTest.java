package io.imgstream.model.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationReportTest {

    private static final List<String> CLASSES = List.of("cat", "dog", "fox");

    @Test
    void shouldCountTheConfusionMatrixAndDeriveEveryScoreFromIt() {
        // truth:     cat cat cat dog dog fox
        // predicted: cat cat dog dog cat cat
        ClassificationReport report =
                ClassificationReport.of(CLASSES, new int[] {0, 0, 0, 1, 1, 2}, new int[] {0, 0, 1, 1, 0, 0});

        assertThat(report.confusion()).isDeepEqualTo(new int[][] {{2, 1, 0}, {1, 1, 0}, {1, 0, 0}});
        assertThat(report.count()).isEqualTo(6);
        assertThat(report.correct()).isEqualTo(3);
        assertThat(report.accuracy()).isEqualTo(0.5);
        ClassScores cat = report.perClass().get(0);
        assertThat(cat.precision()).isCloseTo(2.0 / 4, within(1e-12));
        assertThat(cat.recall()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(cat.f1()).isCloseTo(2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3), within(1e-12));
        assertThat(cat.support()).isEqualTo(3);
        ClassScores fox = report.perClass().get(2);
        assertThat(fox.precision()).as("never predicted").isZero();
        assertThat(fox.recall()).isZero();
        assertThat(fox.f1()).isZero();
        assertThat(fox.support()).isEqualTo(1);
    }

    @Test
    void shouldReturnACopyOfTheMatrix() {
        ClassificationReport report = ClassificationReport.of(CLASSES, new int[] {0}, new int[] {0});
        report.confusion()[0][0] = 99;
        assertThat(report.confusion()[0][0]).isEqualTo(1);
    }

    @Test
    void shouldRefuseMismatchedOrOutOfRangeInput() {
        assertThatThrownBy(() -> ClassificationReport.of(CLASSES, new int[] {0, 1}, new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 true labels but 1 predictions");
        assertThatThrownBy(() -> ClassificationReport.of(CLASSES, new int[] {3}, new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the 3 classes");
    }
}
