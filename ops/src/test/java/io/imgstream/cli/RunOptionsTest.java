package io.imgstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.imgstream.runtime.lifecycle.StreamsApplication;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RunOptionsTest {

    /** An application that stops on its own after {@code failAfter}, as a scorer whose inference thread died. */
    private static StreamsApplication failingAfter(Duration failAfter) {
        long failsAt = System.nanoTime() + failAfter.toNanos();
        return new StreamsApplication() {
            @Override
            public Parts parts() {
                throw new UnsupportedOperationException("awaitStop asks only hasStopped");
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
        RunOptions run = new RunOptions();

        boolean failed = assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> run.awaitStop("imgstream-test-shutdown", failingAfter(Duration.ofMillis(300))));

        assertThat(failed).as("stopped on its own, not asked to").isTrue();
    }
}
