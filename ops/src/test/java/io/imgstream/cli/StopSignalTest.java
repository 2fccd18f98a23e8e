package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.imgstream.runtime.lifecycle.StreamsApplication;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StopSignalTest {

    /** An application that stops on its own after {@code failAfter}, as a scorer whose inference thread died. */
    private static StreamsApplication failingAfter(Duration failAfter) {
        long failsAt = System.nanoTime() + failAfter.toNanos();
        return new StreamsApplication() {
            @Override
            public Parts parts() {
                throw new UnsupportedOperationException("await asks only hasStopped");
            }

            @Override
            public boolean hasStopped() {
                return System.nanoTime() >= failsAt;
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void shouldStopWaitingWhenTheApplicationStopsOnItsOwn() {
        try (StopSignal stop = new StopSignal("imgstream-test-shutdown")) {
            boolean failed = assertTimeoutPreemptively(
                    Duration.ofSeconds(10), () -> stop.await(failingAfter(Duration.ofMillis(300)), null));

            assertThat(failed).as("stopped on its own, not asked to").isTrue();
        }
    }

    @Test
    void shouldStopWaitingAfterTheDurationWithoutCountingItAsAFailure() {
        try (StopSignal stop = new StopSignal("imgstream-test-shutdown")) {
            boolean failed = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> stop.await(failingAfter(Duration.ofHours(1)), Duration.ofMillis(300)));

            assertThat(failed).as("ran its duration").isFalse();
        }
    }
}
