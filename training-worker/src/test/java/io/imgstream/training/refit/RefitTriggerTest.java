package io.imgstream.training.refit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RefitTriggerTest {

    private final RefitTrigger trigger = new RefitTrigger(50, Duration.ofMinutes(10), 20);

    @Test
    void shouldRefitEveryNLabels() {
        assertThat(trigger.due(49, 500, Duration.ofSeconds(1))).isFalse();
        assertThat(trigger.due(50, 500, Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void shouldRefitAfterTheIntervalWhileALabelWaits() {
        assertThat(trigger.due(1, 500, Duration.ofMinutes(10))).isTrue();
        assertThat(trigger.due(0, 500, Duration.ofHours(5))).as("nothing new").isFalse();
    }

    @Test
    void shouldWaitForTheSmallestUsefulLabeledSet() {
        assertThat(trigger.due(19, 19, Duration.ofHours(1))).isFalse();
        assertThat(trigger.due(20, 20, Duration.ofHours(1))).isTrue();
    }
}
