package io.imgstream.labeling.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LabelBudgetTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    /** A clock the test moves. */
    private static final class ManualClock extends Clock {
        private Instant now = T0;

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void shouldRefuseOnceTheHourIsSpentUntilItsOldestLabelIsAnHourOld() {
        ManualClock clock = new ManualClock();
        LabelBudget budget = new LabelBudget(3, 0, clock);
        assertThat(budget.tryTake()).isEmpty();
        clock.advance(Duration.ofMinutes(10));
        assertThat(budget.tryTake()).isEmpty();
        assertThat(budget.tryTake()).isEmpty();

        assertThat(budget.tryTake()).contains(T0.plus(LabelBudget.HOUR));
        assertThat(budget.status().spentUntil()).contains(T0.plus(LabelBudget.HOUR));
        assertThat(budget.status().usedThisHour()).isEqualTo(3);

        clock.advance(Duration.ofMinutes(49));
        assertThat(budget.tryTake()).isPresent();
        clock.advance(Duration.ofMinutes(1));
        // The first label left the window: one more, then spent again until the next two leave.
        assertThat(budget.tryTake()).isEmpty();
        assertThat(budget.tryTake()).contains(T0.plus(Duration.ofMinutes(10)).plus(LabelBudget.HOUR));
    }

    @Test
    void shouldRefuseOnceTheDayIsSpentThoughHoursPass() {
        ManualClock clock = new ManualClock();
        LabelBudget budget = new LabelBudget(2, 3, clock);
        assertThat(budget.tryTake()).isEmpty();
        assertThat(budget.tryTake()).isEmpty();
        assertThat(budget.tryTake()).isPresent();
        clock.advance(Duration.ofHours(2));
        assertThat(budget.tryTake()).isEmpty();

        clock.advance(Duration.ofHours(2));
        Optional<Instant> spent = budget.tryTake();
        assertThat(spent).contains(T0.plus(LabelBudget.DAY));
        LabelBudget.Status status = budget.status();
        assertThat(status.usedToday()).isEqualTo(3);
        assertThat(status.usedThisHour()).isZero();

        clock.advance(Duration.ofHours(20));
        assertThat(budget.tryTake()).isEmpty();
    }

    @Test
    void shouldGiveBackALabelWhoseSendingFailed() {
        ManualClock clock = new ManualClock();
        LabelBudget budget = new LabelBudget(1, 0, clock);
        assertThat(budget.tryTake()).isEmpty();
        budget.giveBack();

        assertThat(budget.status().usedThisHour()).isZero();
        assertThat(budget.tryTake()).isEmpty();
        assertThat(budget.tryTake()).isPresent();
    }

    @Test
    void shouldNeverRefuseWithoutLimits() {
        LabelBudget budget = new LabelBudget(0, 0, new ManualClock());
        for (int i = 0; i < 10_000; i++) {
            assertThat(budget.tryTake()).isEmpty();
        }
        assertThat(budget.status().spentUntil()).isEmpty();
    }
}
