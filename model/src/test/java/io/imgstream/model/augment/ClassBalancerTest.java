package io.imgstream.model.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassBalancerTest {

    @Test
    void shouldKeepEveryExampleAndOversampleSmallClassesToTheLargest() {
        int[] labels = {0, 0, 0, 0, 0, 0, 1, 2, 2, 0};

        int[] indices = ClassBalancer.oversample(labels, new Random(1));

        assertThat(Arrays.copyOf(indices, labels.length)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        int[] counts = new int[3];
        for (int index : indices) {
            counts[labels[index]]++;
        }
        assertThat(counts).containsExactly(7, 7, 7);
    }

    @Test
    void shouldDrawTheSameRepeatsForTheSameSeed() {
        int[] labels = {0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 3};

        assertThat(ClassBalancer.oversample(labels, new Random(9)))
                .isEqualTo(ClassBalancer.oversample(labels, new Random(9)));
    }

    @Test
    void shouldLeaveBalancedDataAlone() {
        assertThat(ClassBalancer.oversample(new int[] {1, 0, 1, 0}, new Random(1)))
                .containsExactly(0, 1, 2, 3);
    }
}
