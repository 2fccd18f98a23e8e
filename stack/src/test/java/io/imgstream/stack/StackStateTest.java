package io.imgstream.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackStateTest {

    @TempDir
    Path workDir;

    @Test
    void shouldReadBackWhatItWrote() {
        StackState state = new StackState(
                workDir.toString(),
                101,
                202,
                "127.0.0.1:19092",
                "http://127.0.0.1:18081",
                19092,
                19093,
                18081,
                18082,
                "2026-01-02T03:04:05Z",
                303,
                "http://127.0.0.1:18083",
                18083,
                19094);

        state.write();

        assertThat(StackState.read(workDir)).contains(state);
        assertThat(Files.exists(workDir.resolve("stack.json.tmp"))).isFalse();
    }

    @Test
    void shouldReportNoStateWhenNoneWasWrittenOrItWasDeleted() {
        assertThat(StackState.read(workDir)).isEmpty();

        new StackState(workDir.toString(), 1, 2, "a:1", "http://a:2", 1, 3, 2, 4, "2026-01-02T03:04:05Z", 0, null, 0, 0)
                .write();
        StackState.delete(workDir);

        assertThat(StackState.read(workDir)).isEmpty();
    }

    @Test
    void shouldShowNothingRunningForAWorkDirWithoutState() {
        StackStatus status = LocalStack.status(workDir);

        assertThat(status.recorded()).isFalse();
        assertThat(status.allReady()).isFalse();
        assertThat(LocalStack.stop(workDir)).isEmpty();
    }

    @Test
    void shouldNotTouchARecordedPidThatIsNotOurServer() {
        long thisJvm = ProcessHandle.current().pid();
        new StackState(
                        workDir.toString(),
                        thisJvm,
                        thisJvm,
                        "127.0.0.1:1",
                        "http://127.0.0.1:2",
                        1,
                        3,
                        2,
                        4,
                        "2026-01-02T03:04:05Z",
                        0,
                        null,
                        0,
                        0)
                .write();

        StackStatus status = LocalStack.status(workDir);

        assertThat(status.components()).hasSize(2).noneMatch(StackStatus.Component::alive);
        assertThat(LocalStack.stop(workDir)).isEmpty();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
        assertThat(StackState.read(workDir)).isEmpty();
    }
}
