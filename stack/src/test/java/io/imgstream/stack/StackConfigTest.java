package io.imgstream.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackConfigTest {

    @TempDir
    Path workDir;

    @Test
    void shouldUseDocumentedDefaults() {
        StackConfig config = StackConfig.defaults(workDir);

        assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:19092");
        assertThat(config.registryUrl()).isEqualTo("http://127.0.0.1:18081");
        assertThat(config.controllerPort()).isEqualTo(19093);
        assertThat(config.partitions()).isEqualTo(3);
        assertThat(config.stateFile()).isEqualTo(workDir.resolve("stack.json"));
    }

    @Test
    void shouldMakeWorkDirAbsolute() {
        StackConfig config = StackConfig.defaults(Path.of("relative", "..", "stack-dir"));

        assertThat(config.workDir().isAbsolute()).isTrue();
        assertThat(config.workDir().getFileName()).hasToString("stack-dir");
        assertThat(config.workDir().toString()).doesNotContain("..");
    }

    @Test
    void shouldRejectPortOutOfRangeNamingTheOption() {
        assertThatThrownBy(() -> config(0, 19093, 18081, 18082))
                .isInstanceOfSatisfying(
                        StackException.class,
                        e -> assertThat(e.reason()).isEqualTo(StackException.Reason.INVALID_CONFIG))
                .hasMessageContaining("--broker-port")
                .hasMessageContaining("between 1 and 65535, got 0");
        assertThatThrownBy(() -> config(19092, 19093, 18081, 70_000))
                .hasMessageContaining("--registry-management-port")
                .hasMessageContaining("got 70000");
    }

    @Test
    void shouldRejectTwoServersOnOnePortNamingBothOptions() {
        assertThatThrownBy(() -> config(19092, 18081, 18081, 18082))
                .isInstanceOf(StackException.class)
                .hasMessageContaining("--controller-port and --registry-port are both 18081");
    }

    @Test
    void shouldRejectNonPositivePartitionsAndTimeout() {
        assertThatThrownBy(() -> StackConfig.defaults(workDir).withPartitions(0))
                .hasMessageContaining("--partitions must be at least 1, got 0");
        assertThatThrownBy(() -> new StackConfig(workDir, 1, 2, 3, 4, null, 1, Duration.ZERO, 0, 0))
                .hasMessageContaining("timeout must be positive");
    }

    @Test
    void shouldPickDistinctFreePorts() {
        StackConfig config = StackConfig.withFreePorts(workDir);

        assertThat(config.portsByOption().values()).doesNotHaveDuplicates().allMatch(FreePorts::isFree);
    }

    private StackConfig config(int broker, int controller, int registry, int management) {
        return new StackConfig(workDir, broker, controller, registry, management, null, 3, Duration.ofSeconds(5), 0, 0);
    }
}
