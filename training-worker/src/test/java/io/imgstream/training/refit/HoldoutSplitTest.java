package io.imgstream.training.refit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imgstream.schemas.avro.SplitHint;
import io.imgstream.training.refit.HoldoutSplit.Side;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HoldoutSplitTest {

    private final HoldoutSplit split = new HoldoutSplit(20, 10);

    @Test
    void shouldPutAboutTheConfiguredSharesOnEachSide() {
        Map<Side, Integer> counts = new EnumMap<>(Side.class);
        for (int i = 0; i < 10_000; i++) {
            counts.merge(split.sideOf("image-" + i, SplitHint.ANY), 1, Integer::sum);
        }
        assertThat(counts.get(Side.HOLDOUT)).isBetween(1_850, 2_150);
        assertThat(counts.get(Side.VALIDATION)).isBetween(900, 1_100);
        assertThat(counts.get(Side.TRAIN)).isBetween(6_800, 7_200);
    }

    @Test
    void shouldKeepAnImageOnItsSideWhateverElseIsLabeled() {
        int bucket = HoldoutSplit.bucket("cat-001");
        assertThat(HoldoutSplit.bucket("cat-001")).isEqualTo(bucket);
        assertThat(new HoldoutSplit(20, 10).sideOf("cat-001", SplitHint.ANY))
                .isEqualTo(new HoldoutSplit(20, 10).sideOf("cat-001", SplitHint.ANY));
        assertThat(bucket).isBetween(0, 99);
    }

    @Test
    void shouldLetTheLabelersHintOverrideTheHash() {
        String holdoutByHash = firstOn(Side.HOLDOUT);
        String trainByHash = firstOn(Side.TRAIN);
        assertThat(split.sideOf(holdoutByHash, SplitHint.TRAIN)).isNotEqualTo(Side.HOLDOUT);
        assertThat(split.sideOf(trainByHash, SplitHint.HOLDOUT)).isEqualTo(Side.HOLDOUT);
    }

    @Test
    void shouldRefuseSharesThatLeaveNothingToTrainOn() {
        assertThatThrownBy(() -> new HoldoutSplit(60, 40)).isInstanceOf(IllegalArgumentException.class);
    }

    private String firstOn(Side side) {
        for (int i = 0; ; i++) {
            if (split.sideOf("image-" + i, SplitHint.ANY) == side) {
                return "image-" + i;
            }
        }
    }
}
