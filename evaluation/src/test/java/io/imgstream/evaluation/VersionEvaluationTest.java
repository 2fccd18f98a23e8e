package io.imgstream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionEvaluationTest {

    private static final List<String> CLASSES = List.of("cat", "dog");

    @Test
    void shouldCountOnlyLabeledImagesAndGiveUnknownLabelsARowOfTheirOwn() {
        Map<String, String> predictions = Map.of("a", "cat", "b", "dog", "c", "cat", "unlabeled", "dog");
        Map<String, String> labels = Map.of("a", "cat", "b", "cat", "c", "fox", "not-scored", "dog");

        VersionEvaluation evaluation = VersionEvaluation.of("pets", 2, CLASSES, predictions, labels);

        assertThat(evaluation.name()).isEqualTo("pets v2");
        assertThat(evaluation.report().classes()).containsExactly("cat", "dog", "fox");
        assertThat(evaluation.report().count()).isEqualTo(3);
        assertThat(evaluation.report().correct()).isEqualTo(1);
        assertThat(evaluation.report().confusion()).isDeepEqualTo(new int[][] {{1, 1, 0}, {0, 0, 0}, {1, 0, 0}});
    }

    @Test
    void shouldListTheImagesTwoVersionsDisagreeOn() {
        VersionEvaluation first = VersionEvaluation.of(
                "pets", 1, CLASSES, Map.of("a", "cat", "b", "dog", "c", "cat"), Map.of("a", "cat"));
        VersionEvaluation second = VersionEvaluation.of(
                "pets", 2, CLASSES, Map.of("a", "dog", "b", "dog", "c", "dog"), Map.of("a", "cat"));

        assertThat(EvaluationReport.disagreements(first, second, Map.of("a", "cat")))
                .containsExactly(
                        new EvaluationReport.Disagreement("a", "cat", "cat", "dog"),
                        new EvaluationReport.Disagreement("c", "-", "cat", "dog"));
    }
}
