package io.imgstream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayBoundTest {

    @Test
    void shouldReadOffsetsTimesAndDefaults() {
        assertThat(ReplayBound.parse("1200", new ReplayBound.Beginning())).isEqualTo(new ReplayBound.AtOffset(1200));
        assertThat(ReplayBound.parse(" 2026-12-01T10:00:00Z ", new ReplayBound.Beginning()))
                .isEqualTo(new ReplayBound.AtTime(Instant.parse("2026-12-01T10:00:00Z")));
        assertThat(ReplayBound.parse(null, new ReplayBound.End())).isEqualTo(new ReplayBound.End());
    }

    @Test
    void shouldSayWhatItExpects() {
        assertThatThrownBy(() -> ReplayBound.parse("yesterday", new ReplayBound.Beginning()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither an offset")
                .hasMessageContaining("2026-12-01T10:00:00Z");
        assertThatThrownBy(() -> ReplayBound.parse("-5", new ReplayBound.Beginning()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
